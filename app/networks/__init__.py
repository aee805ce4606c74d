"""Learning networks: membership (at most 12), invitations, consent, audit log, search.

The ONE place that decides who may see a network is `access.get_network_or_404`. The content
packages (meetings, practices, threads) import this package, never each other, and plug into
digests, exports, anonymisation and search through `registry.register_content`.
"""

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l


def _my_networks_section(user):
    from app.networks.services import my_memberships

    memberships = my_memberships(user)
    if not memberships and not user.is_admin:
        return None
    return {
        "title": _l("Mijn netwerken"),
        "items": [
            {
                "label": m.network.name,
                "url": url_for("networks.view_network", network_id=m.network_id),
                "meta": m.role_label,
            }
            for m in memberships
        ],
        "empty": _l("Je bent nog geen lid van een lerend netwerk."),
        "more": (_l("Alle netwerken"), url_for("networks.list_networks")),
    }


def network_tabs(network) -> list[dict]:
    """The network's sub-menu for the current user (content tabs for members only)."""
    from flask import request
    from flask_login import current_user

    from app.networks.access import active_membership
    from app.networks.registry import content_hooks

    membership = active_membership(network.id, current_user.id)
    entries = [(_l("Overzicht"), url_for("networks.view_network", network_id=network.id))]
    if membership is not None:
        for hooks in content_hooks():
            if hooks.tab:
                label, endpoint = hooks.tab
                entries.append((label, url_for(endpoint, network_id=network.id)))
    if membership is not None or current_user.is_admin:
        entries.append((_l("Leden"), url_for("networks.list_members", network_id=network.id)))
    if membership is not None:
        entries.append((_l("Zoeken"), url_for("networks.search", network_id=network.id)))
    tabs = []
    for label, url in entries:
        active = request.path == url or (url != entries[0][1] and request.path.startswith(url + "/"))
        tabs.append({"label": label, "url": url, "active": active})
    return tabs


def network_sections(access) -> list[dict]:
    """The blocks the content packages show on a network's home page."""
    from app.networks.registry import content_hooks

    return [s for s in (h.summary(access) for h in content_hooks() if h.summary) if s]


def init_app(app: Flask) -> None:
    from app.main.overview import NavEntry, register_nav, register_overview_section
    from app.networks import member_views, search, views  # noqa: F401 - routes and FTS DDL
    from app.networks.blueprint import bp
    from app.networks.cli import networks_cli

    app.register_blueprint(bp)
    app.cli.add_command(networks_cli)
    app.jinja_env.globals.update(network_tabs=network_tabs, network_sections=network_sections)
    register_nav(app, NavEntry(_l("Netwerken"), "networks.list_networks", lambda u: u.is_authenticated, 30))
    register_overview_section(app, _my_networks_section)
    from app.networks.demo import load_demo

    app.extensions.setdefault("demo_loaders", []).append(load_demo)
    from app.core.jobs import register_job
    from app.networks.digest import send_digests

    register_job(app, "network-digests", send_digests, every=15 * 60)
