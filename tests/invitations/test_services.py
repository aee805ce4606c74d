"""Invitation services without HTTP: response-rate counts, refusals, the link helper."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core.errors import DomainError
from app.core.mail import OutgoingMail
from app.core.models import utcnow
from app.extensions import db
from app.invitations import rates, services


def _seed(make_organisation, survey):
    """Nine organisations over three types and two regions, in every state."""
    spec = [
        # (type, region, started, finished, opted out, undeliverable)
        ("caw", "antwerpen", True, True, False, False),
        ("caw", "antwerpen", True, False, False, False),
        ("caw", "limburg", False, False, True, False),
        ("caw", "limburg", False, False, False, True),
        ("clb", "antwerpen", True, True, False, False),
        ("clb", "limburg", False, True, False, False),  # finished without a recorded start
        ("clb", "limburg", False, False, False, False),
        ("ocmw", "antwerpen", False, False, False, False),
        ("ocmw", "antwerpen", True, False, True, False),
    ]
    orgs = [make_organisation(service_type=t, region=r) for t, r, *_flags in spec]
    invitations = services.invite(survey, orgs)
    for invitation, (_t, _r, started, finished, opted_out, undeliverable) in zip(
        invitations, spec, strict=True
    ):
        invitation.started_on = date.today() if started else None
        invitation.finished_on = date.today() if finished else None
        invitation.opted_out_at = utcnow() if opted_out else None
        if undeliverable:
            db.session.get(OutgoingMail, invitation.mail_id).failed_at = utcnow()
    db.session.commit()


@pytest.mark.parametrize("anonymity", ["anonymous", "identified"])
def test_response_rates_overall_and_per_type_and_region(app, make_organisation, make_survey, anonymity):
    survey = make_survey(anonymity=anonymity)
    _seed(make_organisation, survey)

    total = rates.overall(survey.id)
    assert (total.invited, total.started, total.finished, total.opted_out, total.undeliverable) == (
        9,
        5,
        3,
        2,
        1,
    )
    assert total.finished_percent == 33.3

    with app.test_request_context():  # labels are translated
        by_type = {row.key: row for row in rates.by_service_type(survey.id)}
        by_region = {row.key: row for row in rates.by_region(survey.id)}
    assert list(by_type) == ["caw", "ocmw", "clb"]  # the register's order
    caw, clb, ocmw = by_type["caw"], by_type["clb"], by_type["ocmw"]
    assert (caw.invited, caw.started, caw.finished, caw.opted_out, caw.undeliverable) == (4, 2, 1, 1, 1)
    assert (clb.invited, clb.started, clb.finished, clb.opted_out, clb.undeliverable) == (3, 2, 2, 0, 0)
    assert (ocmw.invited, ocmw.started, ocmw.finished, ocmw.opted_out, ocmw.undeliverable) == (2, 1, 0, 1, 0)

    assert (by_region["antwerpen"].invited, by_region["antwerpen"].finished) == (5, 2)
    assert (by_region["limburg"].invited, by_region["limburg"].finished) == (4, 1)
    assert by_region["limburg"].undeliverable == 1 and by_region["antwerpen"].opted_out == 1


def test_response_rates_of_another_survey_are_separate(app, make_organisation, make_survey):
    survey = make_survey()
    other = make_survey(slug="andere")
    services.invite(other, [make_organisation()])
    db.session.commit()
    assert rates.overall(survey.id).invited == 0
    assert rates.overall(other.id).invited == 1


def test_invite_refuses_a_survey_that_is_not_open_or_has_no_closing_date(app, make_organisation, make_survey):
    org = make_organisation()
    with pytest.raises(DomainError, match="niet open"):
        services.invite(make_survey(status="draft"), [org])
    with pytest.raises(DomainError, match="sluitingsdatum"):
        services.invite(make_survey(slug="zonder-datum", closes_in_days=None), [org])


def test_invite_skips_organisations_without_address_and_already_invited(app, make_organisation, make_survey):
    survey = make_survey()
    with_mail = make_organisation()
    without = make_organisation()
    without.contact_email = None
    db.session.commit()
    selection = services.select_organisations(survey)
    assert [o.id for o in selection.to_invite] == [with_mail.id]
    assert [o.id for o in selection.no_email] == [without.id]
    assert len(services.invite(survey, [with_mail, without])) == 1
    db.session.commit()
    # Passing an already invited organisation again (e.g. a stale page) is refused by the
    # database's unique constraint, not just by the selection.
    assert services.invite(survey, [with_mail]) == []
    db.session.commit()
    selection = services.select_organisations(survey)
    assert [o.id for o in selection.already] == [with_mail.id] and not selection.to_invite


def test_filter_by_type_and_region(app, make_organisation, make_survey):
    survey = make_survey()
    a = make_organisation(service_type="caw", region="antwerpen")
    make_organisation(service_type="caw", region="limburg")
    make_organisation(service_type="clb", region="antwerpen")
    selection = services.select_organisations(survey, ["caw"], ["antwerpen"])
    assert [o.id for o in selection.to_invite] == [a.id]
    assert services.select_organisations(survey, ["caw", "clb"], []).total == 3
    assert services.select_organisations(survey, ["onbekend"], []).total == 3  # unknown codes ignored


def test_finished_invitations_get_no_reminder(app, make_organisation, make_survey):
    survey = make_survey()
    done, busy = services.invite(survey, [make_organisation(), make_organisation()])
    done.finished_on = date.today()
    for invitation in (done, busy):
        invitation.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    assert services.remind(survey, 7) == 1
    assert busy.reminder_count == 1 and done.reminder_count == 0
    with pytest.raises(DomainError):
        services.remind(survey, 0)


def test_invitation_url_falls_back_to_the_literal_path(app):
    with app.test_request_context():
        assert services.invitation_url("abc") == "/u/abc"
    assert services.find_invitation("") is None
    assert services.find_invitation("x" * 200) is None
