"""``flask --app skillmap ...`` commands for installers and administrators."""
from __future__ import annotations

import json
from typing import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from skillmap.extensions import db


def _organisation():
    from skillmap.services.accounts import get_or_create_organisation

    return get_or_create_organisation(current_app.config["ORGANISATION_NAME"])


@click.command("load-taxonomy")
def load_taxonomy_cmd():
    """Load or update the shipped skills taxonomy (seed_data/), idempotently."""
    from skillmap.services.taxonomy import TaxonomyError, load_taxonomy
    from skillmap.services.training_catalogue import load_courses

    org = _organisation()
    try:
        report = load_taxonomy(org)
        courses = load_courses(org)
    except TaxonomyError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Taxonomy: {report.areas_added} areas added, {report.areas_updated} updated; "
               f"{report.skills_added} skills added, {report.skills_updated} updated.")
    if report.areas_kept or report.skills_kept:
        click.echo(f"Left as edited in SkillMap: {report.areas_kept} areas, "
                   f"{report.skills_kept} skills.")
    click.echo(f"Training courses: {courses.added} added, {courses.kept} already there "
               "(kept as edited).")


@click.command("load-training-courses")
def load_training_courses_cmd():
    """Add the shipped mandatory-training courses (seed_data/training_courses.csv) that are
    new; courses already there keep their local edits. Check the defaults: docs/TRAINING.md."""
    from skillmap.services.taxonomy import TaxonomyError
    from skillmap.services.training_catalogue import load_courses

    try:
        report = load_courses(_organisation())
    except TaxonomyError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Training courses: {report.added} added, {report.kept} already there "
               "(kept as edited).")


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
    db.session.commit()
    click.echo(f"Demo: {report.people_added} people added ({report.skills_added} skill rows), "
               f"{report.projects_added} projects added, {report.training_added} training "
               "records added.")
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
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role}).")


@click.command("recompute")
def recompute_cmd():
    """Recompute the engine results (skill families) now, with progress in the job table."""
    import time

    from skillmap.services import jobs, recompute

    org = _organisation()
    started = time.perf_counter()
    total = len(recompute.STEPS)

    def show(n: int, key: str):
        click.echo(f"[{n}/{total}] {key}...")

    try:
        job, state = recompute.run_now(org.id, origin="cli", on_step=show)
    except jobs.JobBusy:
        raise click.ClickException(
            "A recomputation is already running (see the skill families page); "
            "try again when it has finished.")
    if state is None:
        raise click.ClickException("The recomputation was taken by a queue consumer; "
                                   "follow it on the skill families page.")
    if job.state != "done":
        raise click.ClickException(f"The recomputation failed ({job.error}); the server log "
                                   "has the details.")
    result = json.loads(job.result)
    click.echo(f"Recomputed for {result['people']} people: {result['families']} skill "
               f"families, {result['bridges']} bridging skills "
               f"in {time.perf_counter() - started:.2f} s.")


@click.command("jobs-worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Jobs run at the same time by this consumer (threads).")
@click.option("--no-periodic", is_flag=True,
              help="Do not run the scheduled jobs here (run them on one consumer only).")
def jobs_worker_cmd(workers: int, no_periodic: bool):
    """Run a queue consumer: the background jobs (recompute, e-mails, backups)."""
    import logging

    from skillmap.queue import huey

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"SkillMap jobs worker: {workers} thread(s), queue "
               f"{type(huey.storage).__name__}; Ctrl+C stops it.")
    consumer = huey.create_consumer(workers=workers, worker_type="thread",
                                    periodic=not no_periodic, check_worker_health=True)
    consumer.run()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=True, file_okay=True, path_type=str))
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="In a folder: keep this many dated backups (default: BACKUP_KEEP).")
@with_appcontext
def backup_cmd(path: str, keep: int | None):
    """Write a consistent, checked backup of the database to PATH (a file or a folder).

    In a folder the backup is named skillmap-YYYYmmdd-HHMMSS.sqlite (or .dump on
    PostgreSQL, time in UTC) and only the newest --keep dated backups stay.
    """
    from skillmap.services import backup

    if keep is None:
        keep = int(current_app.config["BACKUP_KEEP"])
    try:
        result, removed = backup.backup_to(path, origin="cli", keep=keep)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written: {result.path} ({result.size:,} bytes, checked, "
               f"sha256 {result.sha256[:16]}...).")
    for old in removed:
        click.echo(f"Removed old backup {old.name}.")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--force", is_flag=True,
              help="Overwrite a database that already holds data.")
@with_appcontext
def restore_cmd(path: str, force: bool):
    """Replace the database with the backup at PATH, then migrate it to the current schema.

    The file is checked first; a database with data is overwritten only with --force.
    Stop the web server and the queue consumers first.
    """
    from skillmap.services import backup

    try:
        result = backup.restore_backup(path, force=force)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {path} into the {backup.KIND_NAMES[result.kind]} database "
               f"(backup at revision {result.revision_before}, now {result.revision_after}).")


@click.command("check-config")
@with_appcontext
def check_config_cmd():
    """List what is unsafe in the current configuration; exit 1 if anything is."""
    from skillmap.services.config_check import check

    problems = check(current_app, db)
    if not problems:
        click.echo("Nothing unsafe found in the configuration.")
        return
    click.echo(f"{len(problems)} unsafe setting(s) found:")
    for p in problems:
        click.echo(f"- {p.message}")
    raise SystemExit(1)


@click.group("api-token")
def api_token_cmd():
    """Bearer tokens of the HR API (/api/v1/): create, list, revoke."""


@api_token_cmd.command("create")
@click.option("--name", required=True, help="What uses the token (e.g. the payroll system).")
@click.option("--scope", required=True, type=click.Choice(["read", "write"]),
              help="read: every resource; write: also people and profile skills.")
@click.option("--expires", "expires_days", type=click.IntRange(1, 3650), default=None,
              help="Days until the token stops working (default: never).")
@with_appcontext
def api_token_create_cmd(name, scope, expires_days):
    """Create a token and print it, once: only its fingerprint is kept."""
    from skillmap.services import api_tokens

    try:
        token, clear = api_tokens.create_token(_organisation().id, name, scope,
                                               expires_days=expires_days, actor=None)
    except api_tokens.TokenError as exc:
        raise click.ClickException(f"cannot create the token: {exc.reason}") from exc
    db.session.commit()
    expires = token.expires_at.date().isoformat() if token.expires_at else "never"
    click.echo(f"Token {token.id} {name!r} ({scope}, expires: {expires}). Copy it now, it is "
               "not shown again:")
    click.echo(clear)


@api_token_cmd.command("list")
@with_appcontext
def api_token_list_cmd():
    """The organisation's tokens: id, state, scope, name, expiry, last use."""
    from skillmap.services import api_tokens

    rows = api_tokens.tokens(_organisation().id)
    if not rows:
        click.echo("No API token.")
    for t in rows:
        expires = t.expires_at.date().isoformat() if t.expires_at else "never"
        used = t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "never"
        click.echo(f"{t.id}\t{api_tokens.state(t)}\t{t.scope}\t{t.name}\t{t.prefix}...\t"
                   f"expires {expires}\tlast used {used}")


@api_token_cmd.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def api_token_revoke_cmd(token_id):
    """Revoke token TOKEN_ID (see `api-token list`): it stops working at once."""
    from skillmap.models import ApiToken
    from skillmap.services import api_tokens

    token = db.session.get(ApiToken, token_id)
    if token is None or token.organisation_id != _organisation().id:
        raise click.ClickException(f"no token {token_id}")
    if not api_tokens.revoke_token(token, actor=None):
        click.echo(f"Token {token_id} was already revoked.")
        return
    db.session.commit()
    click.echo(f"Token {token_id} {token.name!r} revoked.")
@click.command("training-reminders")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this day (YYYY-MM-DD).")
@click.option("--digest/--no-digest", default=None,
              help="Send HR's weekly digest too (default: on Mondays).")
def training_reminders_cmd(on, digest):
    """Send the training reminders due today (the queue runs this every morning); a
    reminder already sent for a deadline and step is never sent again."""
    from skillmap.services.training_reminders import run_all

    out = run_all(on.date() if on else None, digest=digest)
    click.echo(f"Training reminders: {out['person']} to people, {out['hr']} to HR, "
               f"{out['digest']} weekly digests.")




def run_import(path: str, *, read: Callable, validate: Callable, apply: Callable | None,
               only_valid: bool, echo=print, echo_err=print) -> int:
    """The body of every import command (people, training records, taxonomy).

    Read ``path``, validate, print the report and the preview, apply and commit once
    (unless ``apply`` is None: a dry run). Returns the exit status (0 imported, 1 invalid,
    2 unreadable); nothing is written unless it is 0 and ``apply`` was given."""
    from flask_babel import gettext as _

    from skillmap.services.importing import EXIT_IMPORTED, EXIT_INVALID, EXIT_UNREADABLE
    from skillmap.services.tabular import TabularError

    try:
        table = read(path)
    except TabularError as exc:
        echo_err(exc.message())
        return EXIT_UNREADABLE
    try:
        plan = validate(table)
        report = plan.report
        if report.problems or report.unknown_columns:
            echo(report.text())
        for line in plan.preview:
            echo(_("%(label)s: %(c)d new, %(u)d changed, %(n)d unchanged", label=line.label,
                   c=line.created, u=line.updated, n=line.unchanged)
                 + (f" ({', '.join(line.examples)})" if line.examples else ""))
        if report.fatal or (report.problems and not only_valid):
            db.session.rollback()
            echo(_("Nothing was imported."))
            return EXIT_INVALID
        if apply is None:
            db.session.rollback()
            echo(_("Dry run: nothing was written."))
            return EXIT_IMPORTED if report.ok else EXIT_INVALID
        apply(plan)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    echo(_("Imported %(n)d rows.", n=report.good_rows) if report.ok else
         _("Imported the valid rows (%(n)d); skipped %(bad)d with problems.",
           n=report.good_rows, bad=report.bad_rows))
    return EXIT_IMPORTED


@click.command("import-people")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; "
              "write nothing.")
@click.option("--only-valid", is_flag=True, help="Import the valid rows even when other rows "
              "have problems (they are listed and skipped).")
@click.option("--create-units", is_flag=True, help="Create the units the file names that do "
              "not exist yet (otherwise they are problems).")
@click.option("--invite", is_flag=True, help="After the import, send the invitation e-mail to "
              "the new people (and anyone else still without an account who has an e-mail), "
              "through the bulk invitation job.")
@click.option("--lang", "locale", type=click.Choice(["it", "en"]), default=None,
              help="Language of the report (default: the installation's).")
@with_appcontext
def import_people_cmd(file: str, dry_run: bool, only_valid: bool, create_units: bool,
                      invite: bool, locale: str | None):
    """Import people and their skills from a CSV or XLSX FILE (one row per person and skill).

    Exit status: 0 imported (or, with --dry-run, valid), 1 something is invalid (the report
    is printed, nothing is written), 2 bad argument or unreadable file.
    """
    import sys

    from flask_babel import force_locale
    from flask_babel import gettext as _

    from skillmap.services import people_import

    import os

    org = _organisation()

    def validate(table):
        plan = people_import.validate(org.id, table, create_units=create_units,
                                      filename=os.path.basename(file))
        if invite and not plan.report.fatal:
            new, others = people_import.invitation_count(plan)
            click.echo(_("Invitations: %(new)d new people, %(others)d already here without an "
                         "account.", new=new, others=others))
        return plan

    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        status = run_import(
            file, read=people_import.read_file, validate=validate,
            apply=None if dry_run else (lambda plan: people_import.apply(
                plan, actor_id=None, only_valid=only_valid, invite=invite)),
            only_valid=only_valid, echo=click.echo,
            echo_err=lambda msg: click.echo(msg, err=True))
    sys.exit(status)


@click.command("import-taxonomy")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["esco"]), required=True,
              help="The file's format: esco (ESCO's CSV download of skills, one language).")
@click.option("--language", type=click.Choice(["it", "en"]), default="it", show_default=True,
              help="The language of the file's labels and descriptions.")
@click.option("--area", "area_code", default=None,
              help="Code of the area new skills go to (default: an area ESCO, created if "
                   "needed).")
@click.option("--types", "types", default="skill,knowledge", show_default=True,
              help="The ESCO skill types to import, comma-separated: skill "
                   "(skill/competence), knowledge. Rows of other types are left out.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; "
              "write nothing.")
@click.option("--only-valid", is_flag=True, help="Import the valid rows even when other rows "
              "have problems (they are listed and skipped).")
@click.option("--lang", "locale", type=click.Choice(["it", "en"]), default=None,
              help="Language of the report (default: the installation's).")
@with_appcontext
def import_taxonomy_cmd(file: str, fmt: str, language: str, area_code: str | None,
                        types: str, dry_run: bool, only_valid: bool, locale: str | None):
    """Import skills from ESCO's CSV download FILE: match by URI, then by name or alias;
    add, update or leave each skill. SkillMap downloads nothing: bring the file.

    Exit status: 0 imported (or, with --dry-run, valid), 1 something is invalid (the report
    is printed, nothing is written), 2 bad argument or unreadable file.
    """
    import os
    import sys

    import sqlalchemy as sa
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from skillmap.models import SkillArea
    from skillmap.services import esco_import

    chosen = [t.strip().lower() for t in types.split(",") if t.strip()]
    if not chosen or any(t not in esco_import.TYPES for t in chosen):
        click.echo(f"Unknown skill types {types!r}: choose from "
                   f"{','.join(esco_import.TYPES)}.", err=True)
        sys.exit(2)
    org = _organisation()
    area_id = None
    if area_code:
        area_id = db.session.scalar(sa.select(SkillArea.id).where(
            SkillArea.organisation_id == org.id, SkillArea.code == area_code.strip().upper()))
        if area_id is None:
            click.echo(f"Unknown area code {area_code!r}.", err=True)
            sys.exit(2)

    def apply(plan):
        return esco_import.apply(plan, actor_id=None, only_valid=only_valid)

    def validate(table):
        plan = esco_import.validate(org.id, table, language=language, area_id=area_id,
                                    filename=os.path.basename(file), types=chosen)
        if plan.left_out_type:
            click.echo(_("%(n)d rows left out (type).", n=plan.left_out_type))
        return plan

    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        status = run_import(
            file, read=esco_import.read_file,
            validate=validate, apply=None if dry_run else apply, only_valid=only_valid,
            echo=click.echo, echo_err=lambda msg: click.echo(msg, err=True))
    sys.exit(status)


@click.command("import-training")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; "
              "write nothing.")
@click.option("--only-valid", is_flag=True, help="Import the valid rows even when other rows "
              "have problems (they are listed and skipped).")
@click.option("--lang", "locale", type=click.Choice(["it", "en"]), default=None,
              help="Language of the report (default: the installation's).")
@with_appcontext
def import_training_cmd(file: str, dry_run: bool, only_valid: bool, locale: str | None):
    """Import past training records from a CSV or XLSX FILE (one row per completed course:
    email, course, completed_on, and optionally hours, provider, certificate_number).

    Exit status: 0 imported (or, with --dry-run, valid), 1 something is invalid (the report
    is printed, nothing is written), 2 bad argument or unreadable file.
    """
    import os
    import sys

    from flask_babel import force_locale

    from skillmap.services import training_import

    org = _organisation()
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        status = run_import(
            file, read=training_import.read_file,
            validate=lambda table: training_import.validate(
                org.id, table, filename=os.path.basename(file)),
            apply=None if dry_run else (lambda plan: training_import.apply(
                plan, actor_id=None, only_valid=only_valid)),
            only_valid=only_valid, echo=click.echo,
            echo_err=lambda msg: click.echo(msg, err=True))
    sys.exit(status)




def register(app: Flask) -> None:
    for cmd in (load_taxonomy_cmd, seed_demo_cmd, create_user_cmd, recompute_cmd,
                jobs_worker_cmd, backup_cmd, restore_cmd, check_config_cmd, api_token_cmd,
                import_people_cmd, import_taxonomy_cmd, load_training_courses_cmd,
                training_reminders_cmd, import_training_cmd):
        app.cli.add_command(cmd)
