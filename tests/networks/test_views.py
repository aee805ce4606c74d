"""Network pages: invitation with consent, member home, leaving, export, search, admin pages."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.accounts.models import User
from app.core.models import utcnow
from app.extensions import db
from app.meetings.services import plan_meeting, save_notes
from app.networks.models import ConsentRecord, Network
from app.practices.services import create_practice
from app.threads.services import start_thread
from tests.helpers import Browserless, deliver_mail, link_in


def _invite(app, client, network, email, name):
    forms = Browserless(client)
    url = f"/netwerken/{network.id}/leden"
    response = forms.post(
        f"/netwerken/{network.id}/uitnodigen", {"name": name, "email": email}, token_url=url
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    message = next(m for m in reversed(deliver_mail(app)) if m["To"] == email)
    return link_in(message)


def test_invitation_with_new_account_and_consent(app, make_network, make_user, client_for):
    facilitator = make_user()
    network = make_network(facilitator=facilitator, name="Lerend netwerk Kust")
    link = _invite(app, client_for(facilitator), network, "nina@example.org", "Nina Nieuw")
    visitor = app.test_client()
    page = visitor.get(link)
    assert page.status_code == 200 and "Toestemmingsverklaring" in page.get_data(as_text=True)
    form = {"name": "Nina Nieuw", "password": "zee en duinen 2030", "confirm": "zee en duinen 2030"}
    refused = Browserless(visitor).post(link, form)  # without ticking consent
    assert refused.status_code == 200 and "akkoord" in refused.get_data(as_text=True)
    accepted = Browserless(visitor).post(link, {**form, "consent": "y"})
    assert accepted.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nina@example.org"))
    assert db.session.scalar(select(ConsentRecord).where(ConsentRecord.user_id == user.id)) is not None
    home = visitor.get(f"/netwerken/{network.id}").get_data(as_text=True)
    assert "Jij in dit netwerk" in home
    assert visitor.get(link).status_code == 404  # the link worked once


def test_existing_account_logs_in_to_accept(app, make_network, make_user, client_for):
    facilitator, existing = make_user(), make_user(email="bestaand@example.org")
    network = make_network(facilitator=facilitator)
    link = _invite(app, client_for(facilitator), network, "bestaand@example.org", "Bestaand")
    response = app.test_client().get(link)
    assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]
    client = client_for(existing)
    assert Browserless(client).post(link, {"consent": "y"}).status_code == 302
    assert f"/netwerken/{network.id}" in client.get("/netwerken/").get_data(as_text=True)


def test_appointed_facilitator_gives_consent_first(app, make_user, client_for):
    admin, researcher = make_user(role="admin"), make_user(role="researcher")
    admin_forms = Browserless(client_for(admin))
    response = admin_forms.post(
        "/netwerken/nieuw", {"name": "Nieuw netwerk", "description": "", "visibility": "secret"}
    )
    assert response.status_code == 302
    network = db.session.scalar(select(Network).where(Network.name == "Nieuw netwerk"))
    url = f"/netwerken/{network.id}/leden"
    response = admin_forms.post(
        f"/netwerken/{network.id}/begeleiders", {"email": researcher.email}, token_url=url
    )
    assert response.status_code == 302
    client = client_for(researcher)
    response = client.get(f"/netwerken/{network.id}/gesprekken")
    assert response.status_code == 302 and response.headers["Location"].endswith("/toestemming")
    Browserless(client).post(f"/netwerken/{network.id}/toestemming", {"consent": "y"})
    assert client.get(f"/netwerken/{network.id}/gesprekken").status_code == 200


def test_member_home_search_and_export(app, make_network, make_user, client_for):
    member = make_user(name="Mats Lid")
    network = make_network(members=[member])
    meeting = plan_meeting(network, member, "Overleg", utcnow(), 60, "Gent", "", "")
    save_notes(meeting, member, [member.id], "We bespraken TikTok voor jongeren", "")
    create_practice(network, member, {"title": "TikTok-uitleg", "goal": "Jongeren bereiken"}, {})
    start_thread(network, member, "Wie gebruikt TikTok?", "Wij twijfelen nog")
    db.session.commit()
    client = client_for(member)
    home = client.get(f"/netwerken/{network.id}").get_data(as_text=True)
    assert "Recente gesprekken" in home and "Wie gebruikt TikTok?" in home
    results = client.get(f"/netwerken/{network.id}/zoeken?q=tiktok").get_data(as_text=True)
    assert results.count('class="badge"') == 3  # the note, the practice and the post
    assert "<mark>" in results
    assert client.get(f"/netwerken/{network.id}/zoeken?q=%22%29%20OR%20*").status_code == 200
    data = json.loads(client.get("/netwerken/mijn-bijdragen.json").get_data(as_text=True))
    texts = " ".join(item["text"] for item in data["contributions"])
    assert "Wij twijfelen nog" in texts and "TikTok voor jongeren" in texts
    html = client.get("/netwerken/mijn-bijdragen.html")
    assert "attachment" in html.headers["Content-Disposition"] and "Mats Lid" in html.get_data(as_text=True)


def test_leave_with_anonymisation(app, make_network, make_user, client_for):
    member = make_user(name="Lena Weg")
    network = make_network(members=[member])
    thread = start_thread(network, member, "Vraag", "Blijft staan")
    db.session.commit()
    client = client_for(member)
    url = f"/netwerken/{network.id}/verlaten"
    assert Browserless(client).post(url, {"anonymise": "y"}).status_code == 302
    assert client.get(f"/netwerken/{network.id}/gesprekken").status_code == 404
    facilitator_view = client_for_facilitator(app, network, make_user)
    page = facilitator_view.get(f"/netwerken/{network.id}/gesprekken/{thread.id}").get_data(as_text=True)
    assert "Voormalig lid" in page and "Lena Weg" not in page and "Blijft staan" in page


def client_for_facilitator(app, network, make_user):
    from app.networks.services import add_member, record_consent
    from tests.helpers import login

    reader = make_user()
    record_consent(add_member(network, reader))
    db.session.commit()
    client = app.test_client()
    login(client, reader)
    return client
