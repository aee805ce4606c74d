"""Two-factor services without HTTP: secrets at rest, codes, replay, recovery codes, reset."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import select

from app.core.errors import DomainError
from app.extensions import db
from app.twofactor import services
from app.twofactor.models import RecoveryCode, TotpCredential


def test_the_secret_is_stored_encrypted(app, make_user):
    user = make_user(role="researcher", two_factor=False)
    secret = services.new_secret()
    services.save_credential(user, secret)
    db.session.commit()
    stored = db.session.scalar(select(TotpCredential.secret_encrypted))
    assert secret not in stored
    assert services.decrypt_secret(stored) == secret


def test_a_changed_key_cannot_read_the_secret_and_refuses_codes(make_app, app, make_user, caplog):
    user = make_user(role="researcher")
    code = pyotp.TOTP(services.decrypt_secret(services.get_credential(user).secret_encrypted)).now()
    other = make_app(TWOFACTOR_KEY="another key entirely")
    with other.app_context(), caplog.at_level("ERROR"):
        with pytest.raises(DomainError):
            services.verify(db.session.get(type(user), user.id), code)
        db.session.rollback()
    assert f"the TOTP secret of user {user.id} cannot be decrypted" in caplog.text


def test_set_up_needs_the_right_code(app, make_user):
    user = make_user(two_factor=False)
    secret = services.new_secret()
    with pytest.raises(DomainError, match="klopt niet"):
        services.confirm_setup(user, secret, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert services.get_credential(user) is None
    codes = services.confirm_setup(user, secret, pyotp.TOTP(secret).now())
    assert services.get_credential(user) is not None
    assert len(codes) == 10 and len(set(codes)) == 10
    hashes = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(hashes) == 10 and not hashes & set(codes)  # only hashes are stored


def test_a_code_works_once_and_an_older_one_not_after_it(app, make_user):
    user = make_user(role="admin")
    totp = pyotp.TOTP(services.decrypt_secret(services.get_credential(user).secret_encrypted))
    now = time.time()
    assert services.verify(user, totp.at(now)) == "totp"
    with pytest.raises(DomainError, match="al gebruikt"):
        services.verify(user, totp.at(now))
    with pytest.raises(DomainError, match="al gebruikt"):
        services.verify(user, totp.at(now - 30))  # the previous step is older than the used one
    assert services.verify(user, totp.at(now + 30)) == "totp"  # the next step is still fine


def test_codes_two_steps_away_are_refused(app, make_user):
    user = make_user(role="admin")
    totp = pyotp.TOTP(services.decrypt_secret(services.get_credential(user).secret_encrypted))
    for offset in (-90, 90):
        code = totp.at(time.time() + offset)
        if code in {totp.at(time.time() + d) for d in (-30, 0, 30)}:
            continue  # a one-in-a-million collision with an accepted code
        with pytest.raises(DomainError, match="klopt niet"):
            services.verify(user, code)


def test_recovery_codes_work_once_and_ignore_case_and_spaces(app, make_user):
    user = make_user(role="researcher")
    codes = services.new_recovery_codes(user)
    assert services.recovery_codes_left(user) == 10
    assert services.verify(user, " " + codes[0].upper().replace("-", " ") + " ") == "recovery"
    assert services.recovery_codes_left(user) == 9
    with pytest.raises(DomainError):
        services.verify(user, codes[0])
    with pytest.raises(DomainError):
        services.verify(user, "aaaa-bbbb-cccc")


def test_new_recovery_codes_replace_the_old_ones(app, make_user):
    user = make_user(role="researcher")
    old = services.new_recovery_codes(user)
    code = pyotp.TOTP(services.decrypt_secret(services.get_credential(user).secret_encrypted)).now()
    new = services.replace_recovery_codes(user, code)
    assert not set(old) & set(new)
    with pytest.raises(DomainError):
        services.verify(user, old[1])
    assert services.verify(user, new[1]) == "recovery"


def test_staff_cannot_turn_it_off_members_can(app, make_user):
    researcher, member = make_user(role="researcher"), make_user(two_factor=True)
    with pytest.raises(DomainError, match="moeten"):
        services.turn_off(researcher, "123456")
    code = pyotp.TOTP(services.decrypt_secret(services.get_credential(member).secret_encrypted)).now()
    services.turn_off(member, code)
    assert services.get_credential(member) is None
    assert not services.uses_two_factor(member)
    assert services.uses_two_factor(researcher)


def test_reset_removes_app_and_codes_ends_sessions_and_is_logged(app, make_user, caplog):
    admin, user = make_user(role="admin"), make_user(role="researcher")
    codes = services.new_recovery_codes(user)
    version = user.session_version
    with caplog.at_level("INFO", logger="app.twofactor"):
        services.reset(admin, user)
    assert services.get_credential(user) is None and services.recovery_codes_left(user) == 0
    assert user.session_version == version + 1
    assert f"user {admin.id} reset the two-factor login of user {user.id}" in caplog.text
    assert codes[0] not in caplog.text


def test_an_admin_cannot_reset_their_own(app, make_user):
    admin = make_user(role="admin")
    with pytest.raises(DomainError):
        services.reset(admin, admin)
    assert services.get_credential(admin) is not None


def test_the_qr_code_is_an_svg_data_uri_without_references(app, make_user):
    user = make_user(two_factor=False)
    uri = services.provisioning_uri(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    assert (
        uri.startswith("otpauth://totp/")
        and "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" in uri
        and "issuer=WWWelzijn" in uri
    )
    data = services.qr_code_data_uri(uri)
    assert data.startswith("data:image/svg+xml")
