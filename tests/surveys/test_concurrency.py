"""Two colleagues press "send" at the same moment: one response, both see thank-you."""

import re
import threading

from sqlalchemy import func, select

from app.extensions import db
from app.invitations.models import Invitation
from app.surveys.models import Answer, Draft, Response

from flow_sample import complete  # isort: skip

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_simultaneous_submits_through_one_invitation_store_one_response(
    app, flow_survey, make_invitation, walker
):
    survey = flow_survey("pseudonymous")
    invitation, token = make_invitation(survey)
    colleagues = [walker(app.test_client(), f"/u/{token}") for _ in range(4)]
    complete(colleagues[0])
    tokens = [CSRF_RE.search(c.get(stap="overzicht").get_data(as_text=True)).group(1) for c in colleagues]
    barrier = threading.Barrier(len(colleagues))
    results: list[tuple[int, str]] = []

    def send(walk, csrf):
        barrier.wait()
        response = walk.client.post(
            walk.base, query_string={"stap": "overzicht"}, data={"csrf_token": csrf, "actie": "versturen"}
        )
        if response.status_code == 302:
            response = walk.client.get(walk.base)
        results.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=send, args=pair) for pair in zip(colleagues, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == len(colleagues)
    assert all(status == 200 and "Bedankt!" in body for status, body in results)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    response = db.session.scalars(select(Response)).one()
    rows = db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.response_id == response.id)
    )
    assert rows > 5  # the answers went in once, with their response
    assert db.session.get(Invitation, invitation.id).response_id == response.id
