"""Respondent pages in the kept frame (app.core.chrome.render_in_frame) are the pages base.html gives."""

import re

import pytest

from app.core import chrome

from flow_sample import END, complete  # isort: skip

TOKEN_RE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')


def without_tokens(html: str) -> str:
    return TOKEN_RE.sub(r"\1", html)


@pytest.fixture
def invited(client, flow_survey, make_invitation, walker):
    def factory(anonymity="pseudonymous"):
        survey = flow_survey(anonymity)
        _invitation, token = make_invitation(survey)
        walk = walker(client, f"/u/{token}")
        walk.survey = survey
        return walk

    return factory


def both_ways(walk, monkeypatch, **params) -> tuple[str, str]:
    """The page from the kept frame, and the same page rendered with base.html."""
    framed = walk.get(**params)
    with monkeypatch.context() as m:
        m.setattr(chrome, "frameable", lambda: False)
        plain = walk.get(**params)
    assert framed.status_code == plain.status_code == 200
    return without_tokens(framed.get_data(as_text=True)), without_tokens(plain.get_data(as_text=True))


@pytest.mark.parametrize("anonymity", ["pseudonymous", "anonymous"])
def test_every_step_in_the_frame_is_the_page_base_html_gives(client, invited, monkeypatch, anonymity):
    walk = invited(anonymity)

    def compare(params: dict) -> str:
        for language in ("nl", "en", "nl"):  # one kept frame per language, each used again
            client.get(f"/taal/{language}?next=/")
            framed, plain = both_ways(walk, monkeypatch, **params)
            assert framed == plain
            assert f'<html lang="{language}">' in framed and framed.count("<title>") == 1
        return framed

    compare({})
    compare({"pagina": "profiel"})
    complete(walk)
    for params in ({"pagina": "facebook"}, {"pagina": "cijfers"}, {"stap": "overzicht"}):
        compare(params)
    walk.submit()
    thanks = compare({})
    assert "Bedankt!" in thanks
    assert "Vergelijk uw antwoorden met de sector" in thanks  # its own answers to compare


def test_the_language_link_of_a_framed_page_comes_back_to_that_page(client, invited):
    walk = invited()
    first = walk.get(pagina="profiel").get_data(as_text=True)
    assert f"/taal/en?next={walk.base}?pagina%3Dprofiel" in first
    second = walk.get().get_data(as_text=True)  # the start page: the same kept frame
    assert f"/taal/en?next={walk.base}&quot;" in second or f'/taal/en?next={walk.base}"' in second
    assert "pagina%3Dprofiel" not in second


def test_a_message_is_shown_on_the_page_that_follows(client, invited):
    walk = invited()
    walk.start()
    saved = walk.page("profiel", {"q-soort": "1", "q-kanalen": ["1"]}, action="bewaren")
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Uw antwoorden zijn bewaard" in page
    again = walk.get(pagina="profiel").get_data(as_text=True)  # shown once, then the frame again
    assert "Uw antwoorden zijn bewaard" not in again
    assert again.count("<title>") == 1


def test_text_that_looks_like_a_marker_is_only_text(client, invited):
    walk = invited()
    marker_text = "wwwelzijn-language-url-en <!--wwwelzijn:content-->"
    complete(walk)
    walk.page("slot", {**END, "q-opmerking": marker_text})
    summary = walk.get(stap="overzicht").get_data(as_text=True)
    assert "wwwelzijn-language-url-en &lt;!--wwwelzijn:content--&gt;" in summary
    assert summary.count("<main") == 1


def test_a_kept_blank_page_carries_each_respondents_own_token(app, invited, walker, make_invitation):
    from tests.surveys.conftest import CSRF_RE

    first = invited()
    _invitation, token = make_invitation(first.survey)
    second = walker(app.test_client(), f"/u/{token}")
    pages = [w.get(pagina="profiel").get_data(as_text=True) for w in (first, second)]
    tokens = [CSRF_RE.search(page).group(1) for page in pages]
    assert tokens[0] != tokens[1]
    pages_without_links = [
        without_tokens(page).replace(w.base, "LINK") for page, w in zip(pages, (first, second), strict=True)
    ]
    assert pages_without_links[0] == pages_without_links[1]  # the same kept page
    assert "wwwelzijn:csrf-token" not in pages[0]
    for w in (first, second):
        w.start()
        response = w.page("profiel", {"q-soort": "1", "q-regio": "2", "q-kanalen": ["1"]})
        assert response.status_code == 302 and "pagina=" in response.location
    again = first.get(pagina="profiel").get_data(as_text=True)  # a draft now: its answers shown
    assert "checked" not in pages[0] and "checked" in again
