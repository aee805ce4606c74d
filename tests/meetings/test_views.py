"""Meeting pages: facilitators plan, members write notes and actions; actions on the overview."""

from __future__ import annotations

from app.extensions import db
from app.meetings.models import Meeting
from tests.helpers import Browserless


def test_plan_write_notes_and_actions(make_network, make_user, client_for):
    facilitator, member = make_user(name="Fien Begeleider"), make_user(name="Mo Lid")
    network = make_network(facilitator=facilitator, members=[member])
    fac = Browserless(client_for(facilitator))
    base = f"/netwerken/{network.id}/bijeenkomsten"
    response = fac.post(
        base + "/nieuw",
        {
            "title": "Bijeenkomst december",
            "day": "2030-12-04",
            "time": "14:00",
            "duration_minutes": "90",
            "location": "Gent",
            "video_url": "",
            "agenda": "- Kennismaking",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting = db.session.scalar(db.select(Meeting))
    assert meeting.starts_at.hour == 13  # 14:00 in Brussels is 13:00 UTC in winter

    mem_client = client_for(member)
    mem = Browserless(mem_client)
    assert mem.client.get(base + "/nieuw").status_code == 403  # members do not plan
    url = f"{base}/{meeting.id}"
    response = mem.post(
        url + "/verslag",
        {
            "attendees": [str(member.id), str(facilitator.id)],
            "discussed": "Instagram",
            "decisions": "Proberen",
        },
    )
    assert response.status_code == 302
    response = mem.post(
        url + "/acties",
        {"description": "Policy rondsturen", "owner_id": str(member.id), "due_on": "2030-12-20"},
    )
    assert response.status_code == 302
    page = mem_client.get(url).get_data(as_text=True)
    assert "Instagram" in page and "Policy rondsturen" in page and "Fien Begeleider" in page
    overview = mem_client.get("/").get_data(as_text=True)
    assert "Mijn acties" in overview and "Policy rondsturen" in overview
