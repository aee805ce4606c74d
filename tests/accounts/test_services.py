"""Account services without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts import services
from app.accounts.models import AccountToken, User
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db


def test_create_user_normalises_the_address_and_refuses_duplicates(app):
    user = services.create_user("  Ann@Example.ORG ", " Ann ", "researcher")
    assert (user.email, user.name, user.role) == ("ann@example.org", "Ann", "researcher")
    assert not user.has_password
    with pytest.raises(DomainError):
        services.create_user("ann@example.org", "Other")
    with pytest.raises(DomainError):
        services.create_user("bob@example.org", "Bob", "superuser")


def test_passwords_are_hashed(make_user):
    user = make_user(password="correct horse battery")
    assert "correct horse battery" not in user.password_hash
    assert user.check_password("correct horse battery")
    assert not user.check_password("Correct horse battery")


def test_production_hashes_with_scrypt(make_app):
    app = make_app(PASSWORD_HASH_METHOD=None)
    with app.app_context():
        user = User(email="x@example.org", name="X")
        user.set_password("correct horse battery")
        assert user.password_hash.startswith("scrypt:")


def test_authenticate_counts_failures_and_resets_on_success(app, make_user):
    user = make_user()
    assert services.authenticate(user.email, "wrong", "10.0.0.1") is None
    assert services.authenticate(user.email.upper(), "correct horse battery", "10.0.0.1") == user
    assert user.last_login_at is not None
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert not services.login_blocked(user.email, "10.0.0.1")
        services.authenticate(user.email, "wrong", "10.0.0.1")
    assert services.login_blocked(user.email, "10.0.0.1")
    assert services.login_blocked(user.email, "10.9.9.9")  # per account, from any address
    assert not services.login_blocked("other@example.org", "10.9.9.9")


def test_many_failures_from_one_address_block_that_address(app):
    for n in range(app.config["LOGIN_MAX_FAILURES"] * 4):
        services.authenticate(f"guess{n}@example.org", "wrong", "10.0.0.2")
    assert services.login_blocked("fresh@example.org", "10.0.0.2")
    assert not services.login_blocked("fresh@example.org", "10.0.0.3")


def test_deactivated_user_cannot_authenticate(make_user):
    user = make_user()
    user.is_active_account = False
    assert services.authenticate(user.email, "correct horse battery", "10.0.0.1") is None


def test_reset_request_for_unknown_or_inactive_address_queues_nothing(app, make_user):
    from app.core.mail import OutgoingMail

    services.request_password_reset("nobody@example.org")
    inactive = make_user()
    inactive.is_active_account = False
    services.request_password_reset(inactive.email)
    assert db.session.query(OutgoingMail).count() == 0


def test_token_works_once_and_expires(make_user):
    user = make_user()
    _token, clear = AccountToken.issue(user, "reset", timedelta(hours=2))
    db.session.flush()
    assert services.find_token(clear, "reset") is not None
    assert services.find_token(clear, "invite") is None  # purpose is part of the check
    services.use_token(clear, "reset", "a new password 123")
    assert user.check_password("a new password 123")
    with pytest.raises(DomainError):
        services.use_token(clear, "reset", "another password 456")

    expired, clear2 = AccountToken.issue(user, "reset", timedelta(hours=2))
    expired.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert services.find_token(clear2, "reset") is None


def test_only_a_hash_of_the_token_is_stored(make_user):
    user = make_user()
    token, clear = AccountToken.issue(user, "reset", timedelta(hours=2))
    db.session.flush()
    assert clear not in token.token_hash and len(token.token_hash) == 64


def test_password_change_ends_other_sessions(make_user):
    user = make_user()
    before = user.get_id()
    services.change_password(user, "correct horse battery", "something new 123")
    assert user.get_id() != before
    with pytest.raises(DomainError):
        services.change_password(user, "wrong", "something else 456")


def test_admin_cannot_demote_or_deactivate_themselves(make_user):
    admin = make_user(role="admin")
    other = make_user()
    with pytest.raises(DomainError):
        services.set_role(admin, admin, "member")
    with pytest.raises(DomainError):
        services.set_active(admin, admin, False)
    services.set_role(admin, other, "researcher")
    services.set_active(admin, other, False)
    assert other.role == "researcher" and not other.is_active


def test_update_profile_refuses_someone_elses_address(make_user):
    ann, bob = make_user(), make_user()
    with pytest.raises(DomainError):
        services.update_profile(ann, "Ann", bob.email.upper(), None)
    services.update_profile(ann, " Ann Peeters ", "Ann.New@Example.org", "en")
    assert (ann.name, ann.email, ann.locale) == ("Ann Peeters", "ann.new@example.org", "en")


def test_list_users_searches_name_and_address(make_user):
    make_user(name="Zoë Janssens", email="zoe@example.org")
    make_user(name="Karel", email="karel@voorbeeld.be")
    assert [u.name for u in services.list_users("janss")] == ["Zoë Janssens"]
    assert [u.name for u in services.list_users("VOORBEELD")] == ["Karel"]
    assert len(services.list_users()) == 2
