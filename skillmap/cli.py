"""``flask --app skillmap ...`` commands for installers and administrators."""
from __future__ import annotations

import click
from flask import Flask, current_app

from skillmap.extensions import db


def _organisation():
    from skillmap.services.accounts import get_or_create_organisation

    return get_or_create_organisation(current_app.config["ORGANISATION_NAME"])


@click.command("load-taxonomy")
def load_taxonomy_cmd():
    """Load or update the shipped skills taxonomy (seed_data/), idempotently."""
    from skillmap.services.taxonomy import TaxonomyError, load_taxonomy

    try:
        report = load_taxonomy(_organisation())
    except TaxonomyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Taxonomy: {report.areas_added} areas added, {report.areas_updated} updated; "
               f"{report.skills_added} skills added, {report.skills_updated} updated.")


@click.command("seed-demo")
@click.option("--employees", default=120, show_default=True,
              type=click.IntRange(4, 200_000), help="How many people the demo cooperative has.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Random seed: the same seed builds the same cooperative.")
def seed_demo_cmd(employees: int, seed: int):
    """Build a deterministic demo cooperative with one login per role."""
    from skillmap.services.demo import seed_demo

    try:
        report = seed_demo(_organisation(), employees, seed)
    except ValueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Demo: {report.people_added} people added ({report.skills_added} skill rows), "
               f"{report.projects_added} projects added.")
    click.echo("Demo logins (email / password / role):")
    for email, role, password in report.logins:
        click.echo(f"  {email:<28} {password:<16} {role}")


@click.command("create-user")
@click.option("--email", required=True, help="Login email.")
@click.option("--role", required=True,
              type=click.Choice(["employee", "coordinator", "manager", "admin"]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 12 characters, not a common password nor the e-mail (asked for when not given).")
@click.option("--locale", default="it", type=click.Choice(["it", "en"]), show_default=True)
def create_user_cmd(email: str, role: str, password: str, locale: str):
    """Create a login account."""
    from skillmap.services.accounts import AccountError, create_user

    try:
        user = create_user(_organisation(), email, password, role, locale=locale)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.email} ({user.role}).")


@click.command("recompute")
def recompute_cmd():
    """Recompute the cached engine results (skill families, prepared model)."""
    import time

    from skillmap.services import analytics

    org = _organisation()
    started = time.perf_counter()
    total = len(analytics.STEPS)

    def progress(n, key, seconds):
        if n > 1:
            click.echo(f"      done in {seconds:.2f} s")
        if key != "done":
            click.echo(f"[{n}/{total}] {key}...")

    analytics.recompute(org.id, progress)
    result = analytics.cached(org.id)
    families = len([f for f in result.payload["families"] if f["id"] >= 0])
    click.echo(f"Recomputed for {result.payload['people']} people: {families} skill families, "
               f"{len(result.payload['bridges'])} bridging skills "
               f"in {time.perf_counter() - started:.2f} s.")


def register(app: Flask) -> None:
    for cmd in (load_taxonomy_cmd, seed_demo_cmd, create_user_cmd, recompute_cmd):
        app.cli.add_command(cmd)
