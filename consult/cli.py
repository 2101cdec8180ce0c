"""`flask --app consult` command groups. Each parses, calls a service, commits."""

import click
from flask import Flask
from flask.cli import AppGroup

from consult.core import mail
from consult.core.db import db
from consult.core.errors import DomainError

users = AppGroup("users", help="Manage accounts.")
demo = AppGroup("demo", help="Demonstration data: the real action plans.")
discussions = AppGroup("discussions", help="Discussions: reply e-mails.")
workshops = AppGroup("workshops", help="Workshops: reminders, personal data after events.")


@users.command("create-admin")
@click.option("--email", prompt=True, help="E-mail address of the administrator.")
@click.option("--name", "display_name", prompt="Display name", help="Name shown to others.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="CONSULT_ADMIN_PASSWORD",
    help="At least 12 characters (or CONSULT_ADMIN_PASSWORD).",
)
@click.option("--locale", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
def create_admin(email: str, display_name: str, password: str, locale: str) -> None:
    """Create a verified administrator, or make an existing account administrator."""
    from consult.accounts import services

    try:
        user = services.create_admin(email, display_name, password, locale)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Administrator ready (account #{user.id}).")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["participant", "organiser", "moderator", "admin"]))
@click.option("--institution", "institutions", multiple=True, help="Institution slug (repeat).")
def set_role(email: str, role: str, institutions: tuple[str, ...]) -> None:
    """Give an account a role; organisers need at least one --institution."""
    from consult.accounts import services
    from consult.accounts.queries import get_institutions_by_slug
    from consult.accounts.system import SystemActor

    user = services.get_user_by_email(email)
    if user is None:
        raise click.ClickException("No account has this e-mail address.")
    found = get_institutions_by_slug(institutions)
    missing = sorted(set(institutions) - {i.slug for i in found})
    if missing:
        raise click.ClickException(f"Unknown institution: {', '.join(missing)}")
    try:
        services.set_role(SystemActor(), user, role, found)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    mail.flush_outbox()
    click.echo(f"Account #{user.id} is now {role}.")


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
def load_demo(if_empty: bool) -> None:
    """Load the demonstration data through the services."""
    from consult.demo import load_demo_data

    created = load_demo_data(only_if_empty=if_empty)
    db.session.commit()
    click.echo(created)


@discussions.command("send-digests")
def send_digests() -> None:
    """E-mail authors the replies waiting for them (at most one e-mail per thread per hour)."""
    from consult.discussions import services

    sent = services.send_due_digests()
    db.session.commit()
    mail.flush_outbox()
    click.echo(f"{sent} e-mail(s) sent.")


@workshops.command("send-reminders")
def send_reminders() -> None:
    """E-mail confirmed registrants whose event starts within a day (once each)."""
    from consult.workshops import services

    sent = services.send_reminders()
    db.session.commit()
    mail.flush_outbox()
    click.echo(f"{sent} reminder(s) sent.")


@workshops.command("erase-needs")
def erase_needs() -> None:
    """Erase the accessibility needs given for events that have ended."""
    from consult.workshops import services

    erased = services.erase_past_needs()
    db.session.commit()
    mail.flush_outbox()
    click.echo(f"{erased} registration(s) cleared.")


def register_commands(app: Flask) -> None:
    for group in (users, demo, discussions, workshops):
        app.cli.add_command(group)
