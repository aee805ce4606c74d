"""Every questionnaire in surveys/ loads and can be answered to the end in the staff preview."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.surveys.models import Survey
from app.surveys.services import load_surveys
from tests.helpers import login

SURVEYS = Path(__file__).resolve().parents[2] / "surveys"
SHOWN_RE = re.compile(r'name="getoond" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def valid_values(question) -> dict:
    """A valid answer for every question type, as the form posts it."""
    name = f"q-{question.key}"
    kind = question.type
    if kind in ("single_choice", "likert"):
        return {name: str(question.choices[-1].code)}
    if kind == "matrix":
        return {f"q-{question.row_variable(row)}": str(question.choices[0].code) for row in question.rows}
    if kind == "multiple_choice":
        count = max(question.min_choices or 1, 1)
        return {name: [str(option.code) for option in question.options[:count]]}
    if kind == "ranking":
        return {f"{name}-{o.code}": str(i) for i, o in enumerate(question.options, start=1)}
    if kind == "number":
        return {name: str(question.max if question.max is not None else 7)}
    if kind == "date":
        return {name: question.max or "2020-02-29"}
    return {name: "Een antwoord"}


@pytest.mark.parametrize("slug", ["herbevraging-2026", "interviewschema-2014"])
def test_project_questionnaire_can_be_completed_in_the_preview(app, client, make_user, slug):
    load_surveys(SURVEYS)
    db.session.commit()
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    definition = survey.definition
    login(client, make_user(role="researcher"))
    url = f"/beheer/bevragingen/{survey.id}/voorbeeld"
    start = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": CSRF_RE.search(start)[1]})
    seen = []
    while "stap=overzicht" not in response.location:
        page_url = response.location
        html = client.get(page_url).get_data(as_text=True)
        for _attempt in range(3):  # answers may reveal questions on the same page: answer again
            shown = SHOWN_RE.findall(html)
            data = {"csrf_token": CSRF_RE.search(html)[1], "getoond": shown, "actie": "volgende"}
            for key in shown:
                data.update(valid_values(definition.question(key)))
            response = client.post(page_url, data=data)
            if response.status_code != 200:
                break
            html = response.get_data(as_text=True)
            assert "vragen bijgekomen" in html, html[:2000]
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        seen.append(page_url.split("pagina=")[-1])
        assert len(seen) < 60
    summary = client.get(response.location).get_data(as_text=True)
    assert "Nog niet alles is ingevuld" not in summary
    assert len(seen) >= 3
