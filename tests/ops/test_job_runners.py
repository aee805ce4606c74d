"""Two `flask jobs run` processes at once: every mail exactly once, an exclusive job once."""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, insert, select

from app.core import jobs
from app.core.mail import OutgoingMail
from app.core.models import utcnow
from app.core.ratelimit import RateCounter
from app.extensions import db
from tests.ops.conftest import BIN, output_of

MAILS = 500
RUNNER_TIMEOUT = 120


def _queue_mails(count: int) -> set[str]:
    subjects = [f"ops-{n:04d}" for n in range(count)]
    db.session.execute(
        insert(OutgoingMail),
        [
            {
                "recipient": f"ontvanger{n}@example.org",
                "subject": subject,
                "body_text": f"Bericht {subject}",
                "category": "ops-test",
                "created_at": utcnow(),
                "attempts": 0,
            }
            for n, subject in enumerate(subjects)
        ],
    )
    db.session.commit()
    return set(subjects)


def _run_together(start_process, env: dict[str, str], *args: str) -> list:
    runners = [
        start_process([str(BIN / "flask"), "--app", "wsgi", "jobs", "run", *args], env, f"runner{n}.log")
        for n in (1, 2)
    ]
    for runner in runners:
        runner.wait(timeout=RUNNER_TIMEOUT)
    for runner in runners:
        assert runner.returncode == 0, output_of(runner)[-3000:]
    return runners


def _mail_outcome(output: str) -> tuple[int, float]:
    """(messages sent, seconds) from a runner's `mail: ok {...} (1.23 s)` line."""
    match = re.search(r"^mail: ok \{'sent': (\d+).*\((\d+\.\d+) s\)$", output, re.MULTILINE)
    assert match, output[-3000:]
    return int(match.group(1)), float(match.group(2))


def test_two_runners_at_once_send_every_mail_once_and_run_each_exclusive_job_once(
    make_app, smtp_server, process_env, start_process, database_uri
):
    app = make_app()
    with app.app_context():
        expected = _queue_mails(MAILS)
        expired = utcnow() - timedelta(hours=1)
        db.session.execute(
            insert(RateCounter),
            [{"key": f"{n:064d}", "count": 1, "expires_at": expired} for n in range(3)],
        )
        db.session.commit()
        db.session.remove()

    env = process_env(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    outputs = [output_of(runner) for runner in _run_together(start_process, env)]

    subjects = Counter(str(msg["Subject"]) for _rcpt, msg in smtp_server.messages)
    assert sorted(subjects.elements()) == sorted(expected), "a mail arrived twice or not at all"
    message_ids = Counter(str(msg["Message-ID"]) for _rcpt, msg in smtp_server.messages)
    assert len(message_ids) == MAILS
    with app.app_context():
        unsent = db.session.scalar(select(func.count()).where(OutgoingMail.sent_at.is_(None)))
        tried_twice = db.session.scalar(select(func.count()).where(OutgoingMail.attempts != 1))
        assert (unsent, tried_twice) == (0, 0)
        assert db.session.scalar(select(func.count()).select_from(RateCounter)) == 0
        db.session.remove()

    # The exclusive jobs ran in one runner; the other found them running or already done.
    for job, result in (("rate-counters", "ok 3"), ("privacy-purge", "ok")):
        ran = [out for out in outputs if re.search(rf"^{job}: {result}\b", out, re.MULTILINE)]
        skipped = [out for out in outputs if f"{job}: skipped" in out]
        assert (len(ran), len(skipped)) == (1, 1), outputs

    sent = [_mail_outcome(out) for out in outputs]
    assert sum(count for count, _seconds in sent) == MAILS
    seconds = max(seconds for _count, seconds in sent)
    backend = database_uri.split(":", 1)[0].split("+")[0]
    print(
        f"\n[ops] {backend}: {MAILS} mails by two runners (sent {sent[0][0]} + {sent[1][0]}) "
        f"in {seconds:.2f} s = {MAILS / max(seconds, 0.001):.0f} mails/s"
    )


def test_a_running_exclusive_job_is_skipped_by_a_second_runner_even_when_forced(make_app):
    """The lease, not only "not due yet", keeps the second runner out while the first is busy."""
    app = make_app()
    inside, release, calls = threading.Event(), threading.Event(), []

    def slow_job():
        calls.append(threading.get_ident())
        inside.set()
        release.wait(timeout=30)
        return "done"

    jobs.register_job(app, "ops-slow", slow_job, every=0)
    first: dict[str, str] = {}

    def first_runner():
        with app.app_context():
            first.update(jobs.run_jobs(["ops-slow"], force=True))
            db.session.remove()

    thread = threading.Thread(target=first_runner)
    thread.start()
    try:
        assert inside.wait(timeout=30)
        with app.app_context():
            second = jobs.run_jobs(["ops-slow"], force=True)
            db.session.remove()
    finally:
        release.set()
        thread.join(timeout=30)

    assert second["ops-slow"].startswith("skipped")
    assert first["ops-slow"].startswith("ok done")
    assert len(calls) == 1


def test_a_limited_run_leaves_the_rest_of_the_queue_to_other_runners(app):
    """On PostgreSQL a runner reserves a batch; with --limit it must reserve no more than it sends."""
    from app.core.mail import deliver_queued

    _queue_mails(5)
    assert deliver_queued(limit=3)["sent"] == 3
    waiting = db.session.scalars(
        select(OutgoingMail.claimed_until).where(OutgoingMail.sent_at.is_(None))
    ).all()
    assert waiting == [None, None]
    assert deliver_queued()["sent"] == 2
    assert len(app.extensions["mail_outbox"]) == 5
