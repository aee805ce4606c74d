"""The register and the CSV check, without HTTP."""

from __future__ import annotations

import pytest

from app.core.errors import DomainError
from app.organisations import services


def test_save_organisation_normalises_and_refuses_duplicate_names(app, make_organisation):
    org = services.save_organisation(None, "  CAW   Oost  ", "caw", "antwerpen", " Info@CAW.be ")
    assert (org.name, org.name_key, org.contact_email) == ("CAW Oost", "caw oost", "info@caw.be")
    with pytest.raises(DomainError, match="al een organisatie"):
        services.save_organisation(None, "caw oost", "ocmw", "limburg", None)
    with pytest.raises(DomainError, match="onbekende soort dienst"):
        services.save_organisation(None, "Nieuw", "bakery", "limburg", None)
    services.save_organisation(org, "CAW Oost", "ocmw", "limburg", None)  # may keep its own name
    assert org.service_type == "ocmw"


def test_list_filters(make_organisation):
    make_organisation(name="CAW Noord", service_type="caw", region="limburg")
    make_organisation(name="OCMW Zuid", service_type="ocmw", region="limburg")
    make_organisation(name="CAW Zuid", service_type="caw", region="brussel")
    assert [o.name for o in services.list_organisations("caw")] == ["CAW Noord", "CAW Zuid"]
    assert [o.name for o in services.list_organisations(region="limburg")] == ["CAW Noord", "OCMW Zuid"]
    assert [o.name for o in services.list_organisations(query="  zuid ")] == ["CAW Zuid", "OCMW Zuid"]
    assert services.count_organisations() == 3


def test_csv_report_lists_every_bad_row_and_imports_nothing(app, make_organisation):
    make_organisation(name="Bestaat Al")
    text = (
        "naam,soort_dienst,regio,e-mail\n"
        "CAW Goed,caw,antwerpen,info@goed.be\n"
        ",caw,antwerpen,\n"
        "Slecht Type,bakkerij,antwerpen,\n"
        "Slechte Regio,ocmw,Wallonië,\n"
        "Slecht Adres,ocmw,limburg,geen-adres\n"
        "bestaat al,clb,limburg,\n"
        "CAW Goed,caw,limburg,\n"
        "\n"
        "Hulplijn Goed,Hulplijn,Oost-Vlaanderen,\n"
    )
    report = services.parse_csv(text)
    assert not report.file_errors
    assert [r.values["name"] for r in report.valid] == ["CAW Goed", "Hulplijn Goed"]
    assert report.valid[1].values["service_type"] == "helpline"
    assert report.valid[1].values["region"] == "oost_vlaanderen"
    problems = {r.line: r.problems for r in report.rejected}
    assert problems == {
        3: ["naam ontbreekt"],
        4: ["onbekende soort dienst"],
        5: ["onbekende regio"],
        6: ["ongeldig e-mailadres"],
        7: ["staat al in het register"],
        8: ["dubbel in het bestand (zie rij 2)"],
    }
    assert not report.clean
    assert services.count_organisations() == 1  # checking imports nothing


def test_csv_accepts_english_headers_codes_and_labels(app):
    report = services.parse_csv(
        "Name,Type,Region,Email\nA,youth_care,brussel,\nB,Youth care,Brussels,\nC,Jeugdhulp,brussel,\n"
    )
    assert report.clean
    assert {r.values["service_type"] for r in report.rows} == {"youth_care"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Het bestand is leeg."),
        ("naam,regio\nA,limburg\n", "Kolommen ontbreken in de eerste rij: service_type."),
        ("naam,soort_dienst,regio\n", "Het bestand bevat geen organisaties."),
        ("naam,soort_dienst,regio\nA\x00,caw,limburg\n", "Dit is geen tekstbestand (CSV)."),
    ],
)
def test_csv_file_errors(app, text, message):
    assert services.parse_csv(text).file_errors == [message]


def test_csv_row_limit(app, monkeypatch):
    monkeypatch.setattr(services, "MAX_IMPORT_ROWS", 3)
    text = "naam,soort_dienst,regio\n" + "".join(f"Org {n},caw,limburg\n" for n in range(5))
    report = services.parse_csv(text)
    assert report.file_errors == ["Meer dan 3 rijen: splits het bestand."]


def test_decode_upload_handles_bom_and_windows_1252():
    assert services.decode_upload("\ufeffnaam;regio".encode()) == "naam;regio"
    assert services.decode_upload("Liège;Zoë".encode("cp1252")) == "Liège;Zoë"


def test_semicolon_windows_1252_file_with_excel_headers(app):
    data = "Naam;Soort dienst;Regio;E-mail\r\nCentre Liège;OCMW;Brussel;info@liege.be\r\n".encode("cp1252")
    report = services.parse_csv(services.decode_upload(data))
    assert report.clean
    assert report.rows[0].values == {
        "name": "Centre Liège",
        "service_type": "ocmw",
        "region": "brussel",
        "contact_email": "info@liege.be",
    }


def test_semicolon_utf8_bom_file(app):
    data = "\ufeffnaam;soort_dienst;regio\nZoë's Hulplijn;helpline;limburg\n".encode()
    report = services.parse_csv(services.decode_upload(data))
    assert report.clean and report.rows[0].values["name"] == "Zoë's Hulplijn"


def test_import_rows_imports_only_the_valid_rows(app):
    report = services.parse_csv("naam,soort_dienst,regio\nGoed,caw,limburg\n,caw,limburg\n")
    created = services.import_rows(report)
    assert [o.name for o in created] == ["Goed"]
    assert services.count_organisations() == 1
