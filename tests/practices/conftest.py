"""The network fixtures serve these tests too."""

from tests.networks.conftest import client_for, make_network, make_person  # noqa: F401
