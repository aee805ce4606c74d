import pytest

from app.results import board
from app.results.board import combine, verdict, wilson
from tests.results import seed as seed_data


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (7, 15, 0.2481, 0.6988),
        (15, 15, 0.7961, 1.0),
        (0, 10, 0.0, 0.2775),
        (50, 100, 0.4038, 0.5962),
        (3, 15, 0.0705, 0.4519),
    ],
)
def test_wilson_matches_known_values(k, n, low, high):
    lo, hi = wilson(k, n)
    assert lo == pytest.approx(low, abs=1e-4)
    assert hi == pytest.approx(high, abs=1e-4)


def test_wilson_of_nothing_is_the_whole_range():
    assert wilson(0, 0) == (0.0, 1.0)


def test_verdict_rule():
    assert verdict(10, 29, 0.5) == "no_data"
    assert verdict(14, 30, 7 / 15) == "confirmed"  # inside the interval
    assert verdict(90, 100, 1.0) == "confirmed"  # same side of 50%
    assert verdict(10, 100, 1.0) == "contradicted"  # other side of 50%
    assert verdict(45, 100, 0.9) == "mixed"  # interval straddles 50%, excludes 0.9
    assert verdict(80, 100, None) == "confirmed"
    assert verdict(20, 100, None) == "contradicted"
    assert verdict(50, 100, None) == "mixed"


def test_combining_verdicts():
    assert combine([]) == "no_data"
    assert combine(["no_data", "confirmed", "confirmed"]) == "confirmed"
    assert combine(["confirmed", "contradicted"]) == "mixed"
    assert combine(["contradicted"]) == "contradicted"


@pytest.fixture
def with_catalogue(app, tmp_path, monkeypatch):
    (tmp_path / "findings.yaml").write_text(seed_data.FINDINGS, encoding="utf-8")
    monkeypatch.setitem(app.config, "SURVEYS_DIR", str(tmp_path))


def test_board_on_seeded_data(seeded, with_catalogue, make_user):
    staff = make_user(role="researcher")
    staff.is_authenticated  # noqa: B018 - a real user object
    data = board.findings_board(staff, None, "nl")
    rows = {r["finding"].id: r for r in data["rows"]}
    # f-fb: Facebook chosen by 30 of the 34 who answered kanalen (i < 30 or i % 3 == 0): 88% vs 15/15
    (fb,) = rows["f-fb"]["tests"]
    assert (fb.k, fb.n) == (30, 34)
    assert rows["f-fb"]["verdict"] == "confirmed"
    # f-tevreden: likert 4-5 of 38 valid answers (9 excluded): 14 of 38 vs 7/15 inside the interval
    (tevreden,) = rows["f-tevreden"]["tests"]
    assert (tevreden.k, tevreden.n) == (14, 38)
    assert rows["f-tevreden"]["verdict"] == "confirmed"
    # f-omgekeerd: reverse test; 10 agree, so 30 of 40 support the finding, no interview count
    (omgekeerd,) = rows["f-omgekeerd"]["tests"]
    assert (omgekeerd.k, omgekeerd.n) == (30, 40)
    assert rows["f-omgekeerd"]["verdict"] == "confirmed"
    # f-keuze: supports [1]: 12 of 40 vs 3/15 (20%) inside the interval
    (keuze,) = rows["f-keuze"]["tests"]
    assert (keuze.k, keuze.n) == (12, 40)
    assert rows["f-keuze"]["verdict"] == "confirmed"
    by_type = {g["label"]: (g["k"], g["n"]) for g in keuze.by_type}
    assert by_type == {"CAW": (12, 20), "OCMW": (0, 16), "CLB": (0, 4)}


def test_public_board_hides_small_groups(public_seeded, with_catalogue):
    from flask_login import AnonymousUserMixin

    data = board.findings_board(AnonymousUserMixin(), None, "nl")
    keuze = next(r for r in data["rows"] if r["finding"].id == "f-keuze")["tests"][0]
    clb = next(g for g in keuze.by_type if g["label"] == "CLB")
    assert clb["hidden"] is True


def test_board_page_has_anchors_and_the_rule(seeded, with_catalogue, client, make_user):
    from tests.helpers import login

    login(client, make_user(role="researcher"))
    html = client.get("/bevindingen").get_data(as_text=True)
    assert 'id="f-fb"' in html and 'id="f-keuze"' in html
    assert "te weinig gegevens als minder dan 30" in html
    assert "/resultaten/testbevraging#v-kanalen" in html
