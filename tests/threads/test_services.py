"""Threads: sources, moderation, reports, unread markers, anonymisation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.mail import OutgoingMail
from app.extensions import db
from app.networks.access import active_membership
from app.networks.audit import entries
from app.networks.services import leave
from app.threads import services
from app.threads.sources import describe_source, register_source_resolver


@pytest.fixture
def network(app, make_network, make_person):
    member = make_person(name="Mira Lid")
    net = make_network(members=[member])
    net.test_member = member
    return net


def test_thread_from_a_finding_links_back(network, app):
    thread = services.start_thread(network, network.test_member, "Facebook", "Tekst", "finding", "fb-gebruik")
    assert (thread.source_kind, thread.source_ref) == ("finding", "fb-gebruik")
    with app.test_request_context("/"):
        source = describe_source(thread.source_kind, thread.source_ref)
    assert source["url"] == "/bevindingen#fb-gebruik"


def test_thread_from_a_survey_result_and_a_resolver(network, app):
    register_source_resolver(app, "survey_question", lambda ref: {"title": "Welke kanalen?"})
    thread = services.start_thread(
        network, network.test_member, "Kanalen", "Tekst", "survey_question", "sns-2026:kanalen"
    )
    with app.test_request_context("/"):
        source = describe_source(thread.source_kind, thread.source_ref)
    assert source["title"] == "Welke kanalen?" and source["url"] == "/resultaten/sns-2026#kanalen"


@pytest.mark.parametrize(
    ("kind", "ref"),
    [
        ("finding", "javascript:alert(1)"),
        ("finding", 'x"><script>'),
        ("other", "x"),
        ("survey_question", "noslug"),
    ],
)
def test_bad_sources_are_refused(network, kind, ref):
    with pytest.raises(DomainError):
        services.start_thread(network, network.test_member, "T", "B", kind, ref)


def test_hidden_post_keeps_its_reason_and_is_audited(network):
    thread = services.start_thread(network, network.test_member, "T", "Lelijk bericht")
    post = thread.posts[0]
    facilitator = network.test_facilitator
    with pytest.raises(DomainError):
        services.hide_post(post, facilitator, " ")
    services.hide_post(post, facilitator, "Persoonsgegevens van een cliënt")
    db.session.commit()
    assert post.is_hidden and post.hidden_reason == "Persoonsgegevens van een cliënt"
    entry = next(e for e in entries(network) if e.action == "post.hidden")
    assert entry.actor_id == facilitator.id and entry.object_id == post.id


def test_report_mails_the_facilitators_without_content(network):
    thread = services.start_thread(network, network.test_facilitator, "Onderwerp", "Gevoelige inhoud")
    services.report_post(thread.posts[0], network.test_member, "Dit is niet ok")
    db.session.commit()
    mail = db.session.scalar(select(OutgoingMail).where(OutgoingMail.category == "post_reported"))
    assert mail.recipient == network.test_facilitator.email
    assert "Onderwerp" in mail.body_text
    assert "Gevoelige inhoud" not in mail.body_text and "Dit is niet ok" not in mail.body_text
    with pytest.raises(DomainError):
        services.report_post(thread.posts[0], network.test_member, "Nog eens")
    assert any(e.action == "post.reported" for e in entries(network))


def test_unread_markers_per_member(network):
    facilitator, member = network.test_facilitator, network.test_member
    thread = services.start_thread(network, facilitator, "Nieuws", "Hallo")
    db.session.commit()
    [(_row, count, unread)] = services.list_threads(network, member)
    assert unread and count == 1
    assert not services.list_threads(network, facilitator)[0][2]  # the author has read it
    services.mark_read(thread, member)
    db.session.commit()
    assert not services.list_threads(network, member)[0][2]
    services.reply(thread, facilitator, "Nog iets")
    db.session.commit()
    assert services.list_threads(network, member)[0][2]


def test_leaving_with_anonymisation_detaches_the_author(network):
    member = network.test_member
    thread = services.start_thread(network, member, "Mijn vraag", "Inhoud blijft")
    db.session.commit()
    leave(active_membership(network.id, member.id), anonymise=True)
    db.session.commit()
    db.session.refresh(thread)
    assert thread.author_id is None and thread.posts[0].author_id is None
    assert thread.posts[0].body == "Inhoud blijft"


def test_leaving_without_anonymisation_keeps_the_name(network):
    member = network.test_member
    thread = services.start_thread(network, member, "Mijn vraag", "Inhoud")
    db.session.commit()
    leave(active_membership(network.id, member.id), anonymise=False)
    db.session.commit()
    db.session.refresh(thread)
    assert thread.posts[0].author_id == member.id
