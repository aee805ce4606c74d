"""Fixtures for the learning networks: networks with members, logged-in clients."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.helpers import login


@pytest.fixture
def make_network(app, make_user):
    """make_network(visibility=..., facilitator=user|None, members=[users]) -> Network.

    Everyone added has accepted the consent statement. Without a facilitator one is created.
    """
    from app.networks.services import add_member, create_network, record_consent

    counter = iter(range(1, 10_000))

    def factory(visibility="closed", facilitator=None, members=(), name=None):
        admin = make_user(role="admin", password=None)
        network = create_network(name or f"Netwerk {next(counter)}", "Beschrijving", visibility, admin)
        facilitator = facilitator or make_user(password=None)
        for user, role in [(facilitator, "facilitator"), *[(m, "member") for m in members]]:
            record_consent(add_member(network, user, role))
        db.session.commit()
        network.test_facilitator = facilitator
        return network

    return factory


@pytest.fixture
def make_person(make_user):
    """A user who never logs in: no password, so no slow password hashing."""

    def factory(**kwargs):
        return make_user(password=None, **kwargs)

    return factory


@pytest.fixture
def client_for(app):
    """client_for(user) -> a test client logged in as `user`."""

    def factory(user):
        client = app.test_client()
        login(client, user)
        return client

    return factory
