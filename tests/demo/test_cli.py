"""`flask demo`: demo data for a fresh install, safe to run twice."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.demo import DEMO_ORGANISATIONS, DEMO_USERS
from app.extensions import db
from app.organisations.models import Organisation
from tests.helpers import login


def _counts():
    db.session.rollback()
    return (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Organisation.id))),
    )


def test_demo_twice_is_safe(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert _counts() == (len(DEMO_USERS), len(DEMO_ORGANISATIONS))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert _counts() == (len(DEMO_USERS), len(DEMO_ORGANISATIONS))
    for role, _name, email, password in DEMO_USERS:
        assert f"{role:<11} {email:<32} {password}" in second.output


def test_demo_accounts_can_sign_in(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    _role, _name, email, password = DEMO_USERS[0]
    login(client, db.session.scalar(select(User).where(User.email == email)), password)


def test_demo_repairs_a_changed_demo_account(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    user = db.session.scalar(select(User).where(User.email == DEMO_USERS[0][2]))
    user.is_active_account, user.role = False, "member"
    db.session.commit()
    runner.invoke(args=["demo"])
    db.session.rollback()
    assert user.is_active and user.role == "admin"


def test_demo_is_refused_in_production(make_app):
    app = make_app(ENV_NAME="production", SECRET_KEY="x" * 40)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "refused in production" in result.output
