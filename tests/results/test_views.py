import pytest
from sqlalchemy import event

from app.extensions import db
from app.results import queries
from app.results.demo import generate_responses
from app.surveys.versions import sync_definition
from tests.helpers import login
from tests.results import seed as seed_data


@pytest.fixture
def staff_client(client, make_user):
    login(client, make_user(role="researcher"))
    return client


def test_results_not_public_is_404_for_visitors_and_members(seeded, client, make_user):
    assert client.get("/resultaten/testbevraging").status_code == 404
    login(client, make_user(role="member"))
    assert client.get("/resultaten/testbevraging").status_code == 404
    assert client.get("/resultaten/onbestaand").status_code == 404


def test_public_results_are_suppressed_for_visitors(public_seeded, client):
    html = client.get("/resultaten/testbevraging").get_data(as_text=True)
    assert "40 antwoorden in deze selectie" in html
    assert "&lt; 5" in html  # CLB (4) and its complement
    assert "Opmerking 1" not in html
    assert "/tekst/opmerking" not in html
    assert "<svg" in html and "<table" in html


def test_staff_see_counts_text_answers_and_downloads(seeded, staff_client):
    html = staff_client.get("/resultaten/testbevraging").get_data(as_text=True)
    assert "/resultaten/testbevraging/export/csv" in html
    assert "/resultaten/testbevraging/tekst/opmerking" in html
    text = staff_client.get("/resultaten/testbevraging/tekst/opmerking").get_data(as_text=True)
    assert "Opmerking 1" in text
    assert "=HYPERLINK" in text  # shown as text, escaped by Jinja


def test_text_answers_are_for_staff_only(public_seeded, client, make_user):
    login(client, make_user(role="member"))
    assert client.get("/resultaten/testbevraging/tekst/opmerking").status_code == 403


def test_filter_and_crosstab_on_the_page(seeded, staff_client):
    html = staff_client.get("/resultaten/testbevraging?soort_dienst=1&rij=soort_dienst&kolom=regio").get_data(
        as_text=True
    )
    assert "20 antwoorden in deze selectie" in html
    assert 'class="crosstab"' in html


def test_own_answers_page_reads_the_session_contract(public_seeded, client):
    from app.surveys.models import Response

    rid = db.session.scalars(db.select(Response.id)).first()
    assert client.get("/resultaten/testbevraging/mijn-antwoorden").status_code == 404
    with client.session_transaction() as sess:
        sess["own_responses"] = [rid]
    html = client.get("/resultaten/testbevraging/mijn-antwoorden").get_data(as_text=True)
    assert "Jouw antwoord" in html
    assert "jouw antwoord" in html  # the own answer is marked in the distribution


def _count_statements(client, url):
    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        queries.clear_cache()
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


@pytest.mark.parametrize(
    "url",
    [
        "/resultaten/testbevraging",
        "/resultaten/testbevraging?soort_dienst=1&rij=regio&kolom=kanalen",
        "/bevindingen",
    ],
)
def test_statements_do_not_grow_with_responses(app, staff_client, url, tmp_path, monkeypatch):
    (tmp_path / "findings.yaml").write_text(seed_data.FINDINGS, encoding="utf-8")
    monkeypatch.setitem(app.config, "SURVEYS_DIR", str(tmp_path))
    version, _ = sync_definition(seed_data.definition())
    generate_responses(version, 10, seed=1)
    db.session.commit()
    small = _count_statements(staff_client, url)
    generate_responses(version, 990, seed=2)
    db.session.commit()
    large = _count_statements(staff_client, url)
    assert small == large
    assert large < 40


def test_cache_serves_a_repeated_page_with_one_statement_and_sees_new_data(make_app, make_user):
    application = make_app(RESULTS_CACHE_SIZE=16)
    with application.app_context():
        version = seed_data.seed(10, public=True)
        client = application.test_client()
        queries.clear_cache()
        client.get("/resultaten/testbevraging")
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        client.get("/resultaten/testbevraging")
        event.remove(db.engine, "before_cursor_execute", listener)
        assert len([s for s in statements if "answers" in s]) == 0
        generate_responses(version, 5, seed=3)
        db.session.commit()
        html = client.get("/resultaten/testbevraging").get_data(as_text=True)
        assert "15 antwoorden in deze selectie" in html
        db.session.remove()
