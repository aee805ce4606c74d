"""Invitation and reminder mails through a real SMTP server: they arrive, their links work."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.models import utcnow
from app.extensions import db
from app.invitations import services
from app.invitations.models import Invitation, token_hash
from tests.helpers import Browserless, login
from tests.invitations.conftest import deliver, links_in


def _age(days: int) -> None:
    """Pretend every invitation was sent `days` days ago."""
    for invitation in db.session.scalars(select(Invitation)):
        invitation.created_at = utcnow() - timedelta(days=days)
        if invitation.last_reminder_at:
            invitation.last_reminder_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_invitation_mails_arrive_with_working_links_and_opt_out_stops_reminders(
    smtp_app, smtp_server, make_user, make_organisation, make_survey
):
    survey = make_survey()
    orgs = [make_organisation(service_type="caw", contact_email=f"caw{i}@example.org") for i in range(2)]
    make_organisation(service_type="clb", contact_email="clb@example.org")
    admin = make_user(role="admin")
    client = smtp_app.test_client()
    login(client, admin)
    forms = Browserless(client)
    url = f"/beheer/bevragingen/{survey.slug}/uitnodigen"

    preview = client.get(url + "?soort=caw").get_data(as_text=True)
    assert "2 organisaties worden nu uitgenodigd" in preview
    response = forms.post(url, {"soort": "caw"}, token_url=url + "?soort=caw")
    assert response.status_code == 302
    assert deliver(smtp_app)["sent"] == 2

    assert sorted(r[0] for r, _m in smtp_server.messages) == ["caw0@example.org", "caw1@example.org"]
    rcpt, message = smtp_server.messages[0]
    body = message.get_body(("plain",)).get_content()
    assert message["Subject"] == "Uitnodiging: Herbevraging sociale media"
    assert "We toetsen de bevindingen van 2014 bij de hele sector." in body  # purpose
    assert "Onderzoeksgroep WWWelzijn" in body  # who runs it
    assert "Antwoorden kan tot " in body  # closing date
    invite_path, opt_out_path = links_in(body)
    token = invite_path.removeprefix("/u/")
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    assert invitation is not None and invitation.email == rcpt[0]
    assert services.find_invitation(token) == invitation
    assert opt_out_path == f"/u/{token}/afmelden"

    # The opt-out link asks first (GET changes nothing), then records the choice.
    visitor = Browserless(smtp_app.test_client())
    page = visitor.client.get(opt_out_path)
    assert page.status_code == 200 and "Ja, geen mails meer" in page.get_data(as_text=True)
    db.session.rollback()  # a fresh snapshot
    assert db.session.get(Invitation, invitation.id).opted_out_at is None
    done = visitor.post(opt_out_path)
    assert "krijgt geen mails meer" in done.get_data(as_text=True)
    db.session.rollback()  # a fresh snapshot
    assert db.session.get(Invitation, invitation.id).opted_out_at is not None

    # Reminders: only the organisation that did not opt out, and only once per interval.
    smtp_server.messages.clear()
    _age(8)
    remind_url = f"/beheer/bevragingen/{survey.slug}/herinneren"
    forms.post(remind_url, {"min_days": "7"}, token_url=f"/beheer/bevragingen/{survey.slug}/uitnodigingen")
    assert deliver(smtp_app)["sent"] == 1
    other = next(o for o in orgs if o.contact_email != invitation.email)
    assert [r for r, _m in smtp_server.messages] == [[other.contact_email]]
    reminder = smtp_server.messages[0][1]
    assert reminder["Subject"] == "Herinnering: Herbevraging sociale media"
    reminder_body = reminder.get_body(("plain",)).get_content()
    path, reminder_opt_out = links_in(reminder_body)
    assert services.find_invitation(path.removeprefix("/u/")).organisation_id == other.id
    assert "afmelden" in reminder_opt_out and "Antwoorden kan tot " in reminder_body

    forms.post(remind_url, {"min_days": "7"}, token_url=f"/beheer/bevragingen/{survey.slug}/uitnodigingen")
    assert deliver(smtp_app)["sent"] == 0  # the interval is not over yet


def test_inviting_twice_sends_once(smtp_app, smtp_server, make_user, make_organisation, make_survey):
    survey = make_survey()
    for i in range(3):
        make_organisation(contact_email=f"o{i}@example.org")
    client = smtp_app.test_client()
    login(client, make_user(role="researcher"))
    forms = Browserless(client)
    url = f"/beheer/bevragingen/{survey.slug}/uitnodigen"
    forms.post(url, {})
    forms.post(url, {})
    assert deliver(smtp_app)["sent"] == 3
    assert len(smtp_server.messages) == 3
    page = client.get(url).get_data(as_text=True)
    assert "3 organisaties zijn al uitgenodigd" in page
    assert "0 organisaties worden nu uitgenodigd" in page


def test_cli_remind_respects_the_interval(smtp_app, smtp_server, make_organisation, make_survey):
    survey = make_survey()
    make_organisation(contact_email="a@example.org")
    runner = smtp_app.test_cli_runner()
    result = runner.invoke(args=["invitations", "invite", survey.slug])
    assert "invited 1" in result.output, result.output
    deliver(smtp_app)
    smtp_server.messages.clear()

    result = runner.invoke(args=["invitations", "remind", survey.slug, "--min-days", "3"])
    assert "queued 0 reminders" in result.output  # invited today
    _age(4)
    result = runner.invoke(args=["invitations", "remind", survey.slug, "--min-days", "3"])
    assert "queued 1 reminders" in result.output
    result = runner.invoke(args=["invitations", "remind", survey.slug, "--min-days", "3"])
    assert "queued 0 reminders" in result.output
    assert deliver(smtp_app)["sent"] == 1
    assert len(smtp_server.messages) == 1
    db.session.rollback()  # a fresh snapshot
    invitation = db.session.scalar(select(Invitation))
    assert invitation.reminder_count == 1
