"""Two posts of the same vote form at the same moment (a double click, two tabs) count once."""

from __future__ import annotations

import threading

from app.polls.voting import results
from tests.polls.conftest import ballot_fields


def test_simultaneous_posts_of_one_form_count_once(app, make_poll):
    poll = make_poll()
    first = app.test_client()
    fields = {**ballot_fields(first.get("/p/chaturen").get_data(as_text=True)), "keuze": "2"}
    with first.session_transaction() as session:
        shared_session = dict(session)
    clients = [first, app.test_client()]
    with clients[1].session_transaction() as session:
        session.update(shared_session)  # same browser session, neither has the "voted" cookie yet

    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def post(client):
        barrier.wait()
        statuses.append(client.post("/p/chaturen", data=fields).status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302, 302]  # both see the thank-you page
    assert results(poll).n == 1
