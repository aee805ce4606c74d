"""Poll services without HTTP: files in surveys/polls/, option changes after votes, demo data."""

from __future__ import annotations

import textwrap

import pytest

from app.core.errors import DomainError
from app.extensions import db
from app.polls import services
from app.polls.voting import cast_vote, results
from app.surveys.common import Text
from app.surveys.loader import DefinitionError

POLL_FILE = """\
slug: kanaal
question: {nl: "Welk kanaal gebruik je het meest?", en: "Which channel do you use most?"}
multiple: false
options:
%s
show_results: true
"""


def _write(folder, options: str, name="kanaal.yaml"):
    path = folder / name
    path.write_text(POLL_FILE % textwrap.indent(options, "  "), encoding="utf-8")
    return path


OPTIONS = """\
- {code: 1, label: {nl: Facebook, en: Facebook}}
- {code: 2, label: {nl: Instagram, en: Instagram}}
"""


def test_load_a_poll_file_then_unchanged_then_updated(app, tmp_path):
    path = _write(tmp_path, OPTIONS)
    poll, outcome = services.sync_poll_file(path, root=tmp_path)
    assert outcome == "created" and poll.question.en == "Which channel do you use most?"
    assert services.sync_poll_file(path, root=tmp_path)[1] == "unchanged"
    _write(tmp_path, OPTIONS + "- {code: 3, label: {nl: TikTok, en: TikTok}}\n")
    poll, outcome = services.sync_poll_file(path, root=tmp_path)
    assert outcome == "updated" and [o.code for o in poll.options] == [1, 2, 3]


def test_a_file_with_votes_keeps_its_codes(app, tmp_path):
    path = _write(tmp_path, OPTIONS)
    poll, _outcome = services.sync_poll_file(path, root=tmp_path)
    cast_vote(poll, [2], "nonce-1", services.local_today())
    db.session.commit()
    # Relabelling and adding an option is fine ...
    _write(
        tmp_path,
        OPTIONS.replace("nl: Instagram", "nl: Instagram (Meta)") + "- {code: 3, label: {nl: X, en: X}}\n",
    )
    poll, outcome = services.sync_poll_file(path, root=tmp_path)
    assert outcome == "updated" and poll.option(2).label_nl == "Instagram (Meta)"
    db.session.commit()
    # ... dropping or renumbering a voted option is not.
    _write(
        tmp_path,
        "- {code: 1, label: {nl: Facebook, en: Facebook}}\n"
        "- {code: 5, label: {nl: Instagram, en: Instagram}}\n",
    )
    with pytest.raises(DomainError, match="code 2"):
        services.sync_poll_file(path, root=tmp_path)
    db.session.rollback()
    assert [o.code for o in services.get_poll("kanaal").options] == [1, 2, 3]
    assert results(services.get_poll("kanaal")).n == 1


def test_a_broken_file_names_file_and_line(app, tmp_path):
    path = _write(tmp_path, "- {code: 1, label: {nl: Enkel, en: Only}}\n")
    with pytest.raises(DefinitionError) as error:
        services.sync_poll_file(path, root=tmp_path)
    assert "kanaal.yaml:" in str(error.value)


def test_cli_loads_the_project_poll_files(app):
    result = app.test_cli_runner().invoke(args=["polls", "load"])
    assert result.exit_code == 0, result.output
    assert "chaturen created" in result.output and "kanaal-2026 created" in result.output
    assert services.get_poll("chaturen").source_path == "surveys/polls/chaturen.yaml"
    assert "chaturen unchanged" in app.test_cli_runner().invoke(args=["polls", "load"]).output


def _fields(options, multiple=False):
    return services.PollFields(
        Text("Vraag?"), tuple((i + 1, Text(o)) for i, o in enumerate(options)), multiple
    )


def test_options_are_editable_until_someone_votes(app):
    poll = services.save_poll(None, "p", _fields(["A", "B"]))
    poll = services.save_poll(poll, "p", _fields(["A", "B", "C"]))
    poll = services.save_poll(poll, "p", _fields(["X", "Y"]))  # no votes: anything goes
    assert [o.label_nl for o in poll.options] == ["X", "Y"]
    cast_vote(poll, [1], "n-1", services.local_today())
    with pytest.raises(DomainError):
        services.save_poll(poll, "p", _fields(["X"]))
    with pytest.raises(DomainError):
        services.save_poll(poll, "p", _fields(["X", "Y"], multiple=True))


def test_poll_checks(app):
    with pytest.raises(DomainError):
        services.save_poll(None, "Met Spaties", _fields(["A", "B"]))
    services.save_poll(None, "p", _fields(["A", "B"]))
    with pytest.raises(DomainError, match="al een poll"):
        services.save_poll(None, "p", _fields(["A", "B"]))
    with pytest.raises(DomainError):
        services.parse_option_lines("A\nB", "Only one")
    assert services.slug_from("Wat vind je van de nieuwe chaturen?") == "wat-vind-je-van-de-nieuwe-chaturen"
    assert services.unique_slug("p") == "p-2"


def test_votes_store_no_time_and_no_address(app):
    from sqlalchemy import inspect

    columns = {c["name"] for c in inspect(db.engine).get_columns("poll_ballots")}
    assert columns == {"id", "poll_id", "voted_on"}
    assert {c["name"] for c in inspect(db.engine).get_columns("poll_choices")} == {
        "ballot_id",
        "code",
        "poll_id",
    }


def test_demo_loads_the_polls_with_votes_once(app):
    from app.polls.demo import load_demo_polls

    lines = load_demo_polls()
    assert any("chaturen" in line and "23 demo votes" in line for line in lines)
    assert results(services.get_poll("chaturen")).n == 23
    load_demo_polls()
    assert results(services.get_poll("chaturen")).n == 23
