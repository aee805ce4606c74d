"""The mail queue: queued in the transaction of the change, delivered once by the runner."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.core.mail import OutgoingMail, deliver_queued, queue_mail
from app.extensions import db
from tests.helpers import deliver_mail, mail_text


def _queue_reset(email: str) -> None:
    from app.accounts.services import request_password_reset

    request_password_reset(email)


def _count(**where) -> int:
    stmt = select(func.count(OutgoingMail.id))
    for name, value in where.items():
        column = getattr(OutgoingMail, name)
        stmt = stmt.where(column.is_(None) if value is None else column.isnot(None))
    return db.session.scalar(stmt)


def test_mail_of_a_rolled_back_change_is_never_sent(app, make_user):
    user = make_user()
    _queue_reset(user.email)
    assert _count() == 1  # flushed inside the transaction
    db.session.rollback()
    assert _count() == 0
    assert deliver_mail(app) == []


def test_mail_of_a_committed_change_is_sent_once(app, make_user):
    user = make_user(name="Ann Peeters")
    _queue_reset(user.email)
    db.session.commit()
    sent = deliver_mail(app)
    assert len(sent) == 1
    assert sent[0]["To"] == user.email
    assert "Dag Ann Peeters," in mail_text(sent[0])
    assert deliver_mail(app) == sent
    assert _count(sent_at=True) == 1


def test_mail_goes_to_the_real_smtp_server_once(smtp_app, smtp_server, make_user):
    user = make_user()
    _queue_reset(user.email)
    db.session.commit()

    assert deliver_queued() == {"sent": 1, "retry": 0, "gave_up": 0}
    assert deliver_queued() == {"sent": 0, "retry": 0, "gave_up": 0}

    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert recipients == [user.email]
    assert message["Subject"] == "Nieuw wachtwoord instellen"
    assert message["From"] == smtp_app.config["MAIL_SENDER"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert "/wachtwoord-instellen/" in smtp_server.bodies()[0]


def test_two_runners_at_once_send_each_message_once(smtp_app, smtp_server):
    for n in range(30):
        queue_mail(
            f"person{n}@example.org",
            f"Bericht {n}",
            "mail/password_reset",
            "test",
            user=type("U", (), {"name": f"P{n}"})(),
            token=f"t{n}",
            hours=2,
        )
    db.session.commit()

    results, errors = [], []
    start = threading.Barrier(2)

    def runner():
        try:
            with smtp_app.app_context():
                start.wait()
                results.append(deliver_queued())
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(r["sent"] for r in results) == 30
    recipients = sorted(r[0] for r, _m in smtp_server.messages)
    assert recipients == sorted(f"person{n}@example.org" for n in range(30))
    db.session.expire_all()
    assert _count(sent_at=None) == 0


def test_failed_delivery_is_retried_later(make_app, smtp_server):
    app = make_app(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    with app.app_context():
        queue_mail(
            "someone@example.org",
            "Hallo",
            "mail/password_reset",
            "test",
            user=type("U", (), {"name": "X"})(),
            token="t",
            hours=2,
        )
        db.session.commit()
        assert deliver_queued() == {"sent": 0, "retry": 1, "gave_up": 0}
        mail = db.session.scalar(select(OutgoingMail))
        assert mail.attempts == 1 and mail.last_error and mail.sent_at is None
        # waits before the next attempt instead of hammering the server
        assert deliver_queued() == {"sent": 0, "retry": 0, "gave_up": 0}


def test_mail_send_command(smtp_app, smtp_server, make_user):
    _queue_reset(make_user().email)
    db.session.commit()
    runner = smtp_app.test_cli_runner()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1, to retry 0, given up 0" in result.output
    assert runner.invoke(args=["mail", "send"]).output.startswith("sent 0")
    assert len(smtp_server.messages) == 1


def test_file_transport_writes_eml_files(make_app, tmp_path):
    app = make_app(MAIL_TRANSPORT="file", MAIL_FILE_DIR=str(tmp_path / "mails"))
    with app.app_context():
        mail = queue_mail(
            "someone@example.org",
            "Hallo",
            "mail/password_reset",
            "test",
            user=type("U", (), {"name": "X"})(),
            token="tok",
            hours=2,
        )
        db.session.commit()
        deliver_queued()
        files = list((tmp_path / "mails").glob("*.eml"))
        assert [f.name for f in files] == [f"{mail.id:08d}.eml"]
        assert b"/wachtwoord-instellen/tok" in files[0].read_bytes()


def _queue(n: int) -> None:
    for i in range(n):
        queue_mail(
            f"p{i}@example.org",
            "Hallo",
            "mail/password_reset",
            "test",
            user=type("U", (), {"name": "X"})(),
            token=f"t{i}",
            hours=2,
        )
    db.session.commit()


def test_limit_sends_at_most_that_many(app):
    _queue(3)
    assert deliver_queued(limit=2)["sent"] == 2
    assert deliver_queued()["sent"] == 1
    assert [m.status for m in db.session.scalars(select(OutgoingMail))] == ["sent"] * 3


def test_gives_up_after_max_attempts(make_app):
    app = make_app(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_MAX_ATTEMPTS=1)
    with app.app_context():
        _queue(1)
        assert deliver_queued() == {"sent": 0, "retry": 0, "gave_up": 1}
        mail = db.session.scalar(select(OutgoingMail))
        assert mail.status == "failed" and mail.failed_at is not None
