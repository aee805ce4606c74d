"""The register pages and the two-step CSV import through HTTP."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest

from app.organisations import services
from tests.helpers import login, text_of

GOOD_AND_BAD = (
    "naam,soort_dienst,regio,e-mail\n"
    "CAW Goed,caw,antwerpen,info@goed.be\n"
    "Zonder Regio,caw,,\n"
    "OCMW Goed,ocmw,limburg,\n"
    "Fout Adres,clb,limburg,niet-een-adres\n"
)


@pytest.fixture
def staff(client, make_user):
    login(client, make_user(role="researcher"))
    return client


def _upload(forms, data: bytes, filename="organisaties.csv"):
    token = forms.token("/beheer/organisaties/importeren")
    return forms.client.post(
        "/beheer/organisaties/importeren",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_upload_with_bad_rows_shows_a_report_and_imports_nothing(staff, forms):
    response = _upload(forms, GOOD_AND_BAD.encode())
    assert response.status_code == 200
    html = unescape(text_of(response))
    assert "2 rijen zijn in orde, 2 rijen worden geweigerd." in html
    assert "Er is nog niets geïmporteerd." in html
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html)
    assert rows == [("3", "Zonder Regio", "onbekende regio"), ("5", "Fout Adres", "ongeldig e-mailadres")]
    assert "De 2 geldige rijen importeren" in html
    assert services.count_organisations() == 0


def test_confirming_imports_only_the_valid_rows(staff, forms):
    html = text_of(_upload(forms, GOOD_AND_BAD.encode()))
    content = re.search(r'id="content" name="content" type="hidden" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = staff.post(
        "/beheer/organisaties/importeren/bevestigen",
        data={"csrf_token": token, "content": content},
        follow_redirects=True,
    )
    html = text_of(response)
    assert "2 organisaties geïmporteerd, 2 rijen overgeslagen." in html
    assert [o.name for o in services.list_organisations()] == ["CAW Goed", "OCMW Goed"]
    assert "CAW Goed" in html and "Zonder Regio" not in html


def test_confirming_twice_imports_nothing_twice(staff, forms):
    html = text_of(_upload(forms, GOOD_AND_BAD.encode()))
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', html).group(1)
    for _ in range(2):
        forms.post(
            "/beheer/organisaties/importeren/bevestigen",
            {"content": content},
            token_url="/beheer/organisaties/importeren",
        )
    assert services.count_organisations() == 2  # the second time they are already in the register


def test_confirm_with_tampered_content_is_refused(staff, forms):
    response = forms.post(
        "/beheer/organisaties/importeren/bevestigen",
        {"content": "%%%not base64"},
        token_url="/beheer/organisaties/importeren",
    )
    assert response.status_code == 400
    assert services.count_organisations() == 0


def test_clean_file_is_imported_at_once(staff, forms):
    data = b"naam,soort_dienst,regio\nCAW Een,caw,antwerpen\nCLB Twee,clb,limburg\n"
    response = _upload(forms, data)
    assert response.status_code == 302
    html = text_of(staff.get(response.headers["Location"]))
    assert "2 organisaties geïmporteerd." in html
    assert services.count_organisations() == 2


def test_semicolon_bom_windows_1252_files(staff, forms):
    utf8_bom = "\ufeffNaam;Soort dienst;Regio\r\nZoë Hulplijn;Hulplijn;West-Vlaanderen\r\n".encode()
    cp1252 = "Naam;Soort dienst;Regio\r\nCentre Liège;OCMW;Brussel\r\n".encode("cp1252")
    assert _upload(forms, utf8_bom).status_code == 302
    assert _upload(forms, cp1252).status_code == 302
    assert [o.name for o in services.list_organisations()] == ["Centre Liège", "Zoë Hulplijn"]


def test_file_errors_are_reported_without_a_confirm_button(staff, forms):
    html = text_of(_upload(forms, b"naam,regio\nA,limburg\n"))
    assert "Kolommen ontbreken in de eerste rij: service_type." in html
    assert "bevestigen" not in html


def test_upload_without_a_file_asks_for_one(staff, forms):
    response = forms.post("/beheer/organisaties/importeren", {}, content_type="multipart/form-data")
    assert "Kies een CSV-bestand." in text_of(response)


def test_too_large_upload_is_refused_with_413(make_app, make_user):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    with app.app_context():
        client = app.test_client()
        login(client, make_user(role="admin"))
        from tests.helpers import Browserless

        token = Browserless(client).token("/beheer/organisaties/importeren")
        response = client.post(
            "/beheer/organisaties/importeren",
            data={"csrf_token": token, "file": (io.BytesIO(b"x" * 20_000), "groot.csv")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 413
    assert "Te groot" in text_of(response)


def test_add_and_edit_an_organisation(staff, forms):
    response = forms.post(
        "/beheer/organisaties/nieuw",
        {"name": "Nieuwe Dienst", "service_type": "clb", "region": "limburg", "contact_email": ""},
    )
    assert response.status_code == 302
    org = services.find_by_name("nieuwe dienst")
    response = forms.post(
        f"/beheer/organisaties/{org.id}",
        {"name": "Nieuwe Dienst", "service_type": "ocmw", "region": "limburg", "contact_email": "a@b.be"},
    )
    assert response.status_code == 302
    assert services.find_by_name("Nieuwe Dienst").service_type == "ocmw"


def test_add_refuses_missing_choices_and_duplicates(staff, forms, make_organisation):
    make_organisation(name="Bestaat")
    html = text_of(forms.post("/beheer/organisaties/nieuw", {"name": "X", "service_type": "", "region": ""}))
    assert "Kies een soort dienst." in html and "Kies een regio." in html
    html = text_of(
        forms.post("/beheer/organisaties/nieuw", {"name": "", "service_type": "caw", "region": "limburg"})
    )
    assert "Naam: Dit veld is vereist." in html  # WTForms' own message, in Dutch too
    staff.get("/taal/en")
    html = text_of(
        forms.post("/beheer/organisaties/nieuw", {"name": "", "service_type": "caw", "region": "limburg"})
    )
    assert "Name: This field is required." in html
    staff.get("/taal/nl")
    html = text_of(
        forms.post(
            "/beheer/organisaties/nieuw", {"name": "bestaat", "service_type": "caw", "region": "limburg"}
        )
    )
    assert "Er staat al een organisatie met deze naam in het register." in html


def test_list_filters_and_counts(staff, make_organisation):
    make_organisation(name="CAW Noord", service_type="caw", region="limburg")
    make_organisation(name="OCMW Zuid", service_type="ocmw", region="brussel")
    html = text_of(staff.get("/beheer/organisaties/?soort=ocmw&regio=onzin"))
    assert "OCMW Zuid" in html and "CAW Noord" not in html
    assert "2 organisaties in het register." in html


def test_unknown_organisation_is_404(staff):
    assert staff.get("/beheer/organisaties/424242").status_code == 404


def test_a_large_file_with_bad_rows_can_still_be_confirmed(staff, forms):
    """The checked file travels back in the confirm form; it must fit the form limits."""
    rows = "".join(
        f"Organisatie {n:04d} {'y' * 150},caw,limburg,{'x' * 280}{n}@example.org\n" for n in range(500)
    )
    data = ("naam,soort_dienst,regio,e-mail\n" + rows + ",caw,limburg,\n").encode()
    assert len(data) > 230_000
    html = text_of(_upload(forms, data))
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', html).group(1)
    response = forms.post(
        "/beheer/organisaties/importeren/bevestigen",
        {"content": content},
        token_url="/beheer/organisaties/importeren",
    )
    assert response.status_code == 302
    assert services.count_organisations() == 500


def test_a_clash_during_the_import_imports_nothing(staff, forms, monkeypatch):
    """All valid rows or none: a row refused while importing (someone added it meanwhile)."""
    from app.core.errors import DomainError

    real_save = services.save_organisation
    calls = []

    def save_then_clash(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise DomainError("Er staat al een organisatie met deze naam in het register.")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(services, "save_organisation", save_then_clash)
    response = _upload(forms, b"naam,soort_dienst,regio\nEen,caw,limburg\nTwee,clb,limburg\n")
    assert response.status_code == 302
    html = text_of(staff.get(response.headers["Location"]))
    assert "Er staat al een organisatie met deze naam in het register." in html
    assert services.count_organisations() == 0
