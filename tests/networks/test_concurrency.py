"""The 13th member is refused also when joins race, and the database itself refuses a 13th slot."""

from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from app.accounts.services import create_user
from app.core.database import immediate_transactions
from app.core.errors import DomainError
from app.extensions import db
from app.networks.models import Membership, Network
from app.networks.services import create_network, join

JOINERS = 24


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "constraint-only"])
def test_concurrent_joins_never_pass_twelve(app, make_user, monkeypatch, locked):
    """With the row lock (as in production) exactly 12 of 24 racing joins succeed. Without it
    (lock disabled, plain transactions) some joins may fail on a conflict, but the unique slot
    constraint still never lets a 13th member in."""
    if not locked:
        monkeypatch.setattr("app.networks.services._lock", lambda network: None)
    transactions = immediate_transactions if locked else contextlib.nullcontext
    admin = make_user(role="admin", password=None)
    network = create_network("Race", "", "closed", admin)
    users = [create_user(f"racer{i}@example.org", f"Racer {i}") for i in range(JOINERS)]
    db.session.commit()
    network_id, user_ids = network.id, [u.id for u in users]
    db.session.remove()

    barrier = threading.Barrier(JOINERS)
    results: list[str] = []
    lock = threading.Lock()

    def worker(user_id: int) -> None:
        # Each thread has its own app context, hence its own session and connection.
        with app.app_context():
            barrier.wait()
            try:
                with transactions():
                    net = db.session.get(Network, network_id)
                    user = db.session.get(type(users[0]), user_id)
                    join(net, user, consent=True)
                    db.session.commit()
                outcome = "joined"
            except DomainError:
                db.session.rollback()
                outcome = "refused"
            except OperationalError:  # SQLite without BEGIN IMMEDIATE: "database is locked"
                db.session.rollback()
                outcome = "refused" if not locked else "error: locked"
            except Exception as error:  # recorded, so the assertion shows it
                db.session.rollback()
                outcome = f"error: {type(error).__name__}: {error}"
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=worker, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert set(results) <= {"joined", "refused"}, results
    active = db.session.scalar(
        select(func.count()).where(Membership.network_id == network_id, Membership.slot.is_not(None))
    )
    assert active == results.count("joined") <= 12
    if locked:
        assert results.count("joined") == 12
        slots = db.session.scalars(select(Membership.slot).where(Membership.network_id == network_id)).all()
        assert sorted(s for s in slots if s is not None) == list(range(1, 13))


@pytest.mark.parametrize("slot", [13, 0, 5])
def test_the_database_refuses_a_slot_outside_1_to_12_or_taken(app, make_user, slot):
    admin = make_user(role="admin", password=None)
    network = create_network("Cap", "", "closed", admin)
    first = create_user("first@example.org", "First")
    second = create_user("second@example.org", "Second")
    db.session.add(Membership(network=network, user=first, slot=5))
    db.session.commit()
    db.session.add(Membership(network=network, user=second, slot=slot))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
