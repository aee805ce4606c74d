"""Meetings of a learning network: planning, reminders, notes and action items."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.main.overview import register_overview_section
    from app.meetings import hooks
    from app.meetings.cli import send_reminders_command
    from app.meetings.views import bp
    from app.networks.cli import networks_cli
    from app.networks.registry import register_content

    app.register_blueprint(bp)
    app.add_template_filter(hooks.meeting_time, "meeting_time")
    networks_cli.add_command(send_reminders_command)
    register_content(app, hooks.HOOKS)
    register_overview_section(app, hooks.actions_section)
    register_overview_section(app, hooks.meetings_section)
    from app.core.jobs import register_job
    from app.meetings.services import send_reminders

    register_job(app, "meeting-reminders", send_reminders, every=15 * 60)
    from app.meetings.demo import load_demo

    app.extensions.setdefault("demo_loaders", []).append(load_demo)
