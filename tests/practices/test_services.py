"""Practices: four eyes, co-author confirmation, versions, withdrawal, the public showcase."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import DomainError
from app.extensions import db
from app.networks.access import get_network_or_404
from app.practices import services
from app.practices.models import PracticeVersion

FIELDS = {
    "title": "Vraag van de week",
    "organisations": "JAC Noord",
    "goal": "Meer reacties",
    "worked": "Stories",
}


@pytest.fixture
def setup(app, make_network, make_person):
    author, coauthor, other = make_person(), make_person(), make_person()
    network = make_network(members=[author, coauthor, other])
    practice = services.create_practice(
        network, author, FIELDS, {"channel": ["instagram"], "theme": ["care"]}
    )
    db.session.commit()
    return network, practice, author, coauthor, other


def test_the_author_cannot_approve_their_own_practice(setup):
    _network, practice, author, _coauthor, _other = setup
    services.propose(practice, author)
    assert practice.status == "in_review"
    with pytest.raises(DomainError, match="eigen praktijk"):
        services.approve(practice, author, may_review=True)


def test_a_facilitator_who_is_an_author_cannot_approve_either(setup):
    network, practice, author, _coauthor, _other = setup
    facilitator = network.test_facilitator
    services.add_author(practice, author, facilitator.id)
    services.propose(practice, author)
    services.confirm(practice, facilitator)
    with pytest.raises(DomainError, match="eigen praktijk"):
        services.approve(practice, facilitator, may_review=True)


def test_every_coauthor_confirms_before_review(setup):
    network, practice, author, coauthor, _other = setup
    services.add_author(practice, author, coauthor.id)
    services.propose(practice, author)
    assert practice.status == "proposed"
    with pytest.raises(DomainError):
        services.approve(practice, network.test_facilitator, may_review=True)
    services.confirm(practice, coauthor)
    assert practice.status == "in_review"
    services.approve(practice, network.test_facilitator, may_review=True)
    db.session.commit()
    assert practice.is_published and practice.approved_by_id == network.test_facilitator.id


def test_a_member_who_is_no_reviewer_cannot_approve(setup):
    _network, practice, author, _coauthor, other = setup
    services.propose(practice, author)
    with pytest.raises(DomainError):
        services.approve(practice, other, may_review=False)


def test_send_back_with_a_remark_returns_a_draft(setup):
    network, practice, author, _coauthor, _other = setup
    services.propose(practice, author)
    with pytest.raises(DomainError):
        services.send_back(practice, network.test_facilitator, True, "  ")
    services.send_back(practice, network.test_facilitator, True, "Voeg de evaluatie toe.")
    assert practice.status == "draft" and practice.review_remark == "Voeg de evaluatie toe."


def test_edits_are_kept_as_versions(setup):
    _network, practice, author, _coauthor, _other = setup
    services.update_practice(practice, author, {**FIELDS, "goal": "Nog meer reacties"}, {})
    db.session.commit()
    versions = db.session.scalars(
        select(PracticeVersion).where(PracticeVersion.practice_id == practice.id)
    ).all()
    assert [v.number for v in versions] == [1, 2]
    assert '"Meer reacties"' in versions[0].data and '"Nog meer reacties"' in versions[1].data


def test_proposed_practices_cannot_be_edited(setup):
    _network, practice, author, _coauthor, _other = setup
    services.propose(practice, author)
    with pytest.raises(DomainError):
        services.update_practice(practice, author, FIELDS, {})


def _publish(network, practice, author):
    services.propose(practice, author)
    services.approve(practice, network.test_facilitator, may_review=True)
    db.session.commit()


def test_withdrawn_practices_leave_the_showcase_at_once(setup):
    network, practice, author, _coauthor, _other = setup
    _publish(network, practice, author)
    assert practice in services.published_practices()
    services.withdraw(practice, author)
    db.session.commit()
    assert practice not in services.published_practices()
    assert practice.status == "draft" and practice.withdrawn_at is not None


def test_showcase_search_and_tag_filters(setup):
    network, practice, author, _coauthor, _other = setup
    _publish(network, practice, author)
    assert services.published_practices("reacties") == [practice]
    assert services.published_practices("", {"channel": "instagram"}) == [practice]
    assert services.published_practices("", {"channel": "tiktok"}) == []
    assert services.published_practices("onbestaand") == []


def test_hidden_organisation_names_are_not_searchable(setup):
    network, practice, author, _coauthor, _other = setup
    _publish(network, practice, author)
    assert not practice.show_organisations
    assert services.published_practices("JAC") == []


def test_only_members_can_become_coauthors(setup, make_person):
    _network, practice, author, _coauthor, _other = setup
    with pytest.raises(DomainError):
        services.add_author(practice, author, make_person().id)


def test_admins_outside_the_network_see_only_practices_up_for_review(setup, make_user, app):
    network, practice, author, _coauthor, _other = setup
    admin = make_user(role="admin", password=None)
    with app.test_request_context("/"):
        access = get_network_or_404(network.id, admin)
        from werkzeug.exceptions import NotFound

        with pytest.raises(NotFound):
            services.get_practice_or_404(access, practice.id)
        services.propose(practice, author)
        assert services.get_practice_or_404(access, practice.id) is practice
        services.approve(practice, admin, may_review=access.can_review)
    assert practice.is_published


def test_a_facilitator_deleting_a_comment_is_logged(setup):
    from app.networks.audit import entries

    network, practice, author, _coauthor, other = setup
    own = services.add_comment(practice, other, "Eigen reactie")
    services.delete_comment(own, other, is_facilitator=False)
    comment = services.add_comment(practice, other, "Niet ok")
    with pytest.raises(DomainError):
        services.delete_comment(comment, author, is_facilitator=False)
    services.delete_comment(comment, network.test_facilitator, is_facilitator=True)
    db.session.commit()
    assert [e.action for e in entries(network)].count("comment.deleted") == 1
