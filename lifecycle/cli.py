"""Flask commands: `flask --app lifecycle <command>`. Each command owns its transaction."""

from __future__ import annotations

import logging
import os
import secrets
import sys
from collections.abc import Callable
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import click
from flask import Flask
from flask.cli import AppGroup
from flask.cli import with_appcontext
from sqlalchemy import select

from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.services.audit import SOURCE_CLI
from lifecycle.services.imports import PlanReport
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import PlatformFileError
from lifecycle.services.platform_file import parse_platform

logger = logging.getLogger(__name__)

platform_cli = AppGroup("platform", help="The leadership platform.")
users_cli = AppGroup("users", help="User accounts.")
introductions_cli = AppGroup("introductions", help="Introduction programmes.")
imports_cli = AppGroup("imports", help="Import jobs (files checked and confirmed on the import pages).")

DEFAULT_PLATFORM = Path(__file__).parent / "platforms" / "orebro.yaml"


@platform_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def platform_load(path: Path) -> None:
    """Load or update the leadership platform from a YAML file; an unchanged file changes nothing."""
    try:
        doc = parse_platform(path.read_bytes())
        report = load_platform(doc)
    except PlatformFileError as exc:
        db.session.rollback()
        click.echo(f"{path}: the platform was not loaded; nothing was changed.", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    db.session.commit()
    if not report.changed:
        click.echo(f"{path}: the platform '{doc.key}' is already up to date; nothing changed.")
        return
    for label, keys in (
        ("created", report.created),
        ("updated", report.updated),
        ("retired", report.retired),
        ("restored", report.restored),
    ):
        if keys:
            click.echo(f"{label}: {', '.join(keys)}")
    if report.seeded:
        click.echo(f"phrase and question banks: {report.seeded} entries added or updated")
    if report.workshop_questions:
        click.echo(f"workshop discussion guide: {report.workshop_questions} questions added or updated")
    click.echo(f"{path}: the platform '{doc.key}' is loaded.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    help="A role to give; repeat for several.",
)
@click.option("--password", default=None, help="The password; omitted, a random one is printed.")
@click.option(
    "--manager-number",
    default=None,
    help="Link the account to the manager with this employee number (gives the Manager role).",
)
def users_create(
    email: str, name: str, roles: tuple[str, ...], password: str | None, manager_number: str | None
) -> None:
    """Create a user account (for example the first administrator, or a manager's own)."""
    from lifecycle.models import Manager
    from lifecycle.services.accounts import create_user
    from lifecycle.services.accounts import get_user_by_email

    if get_user_by_email(email) is not None:
        click.echo(f"A user with the e-mail {email} already exists.", err=True)
        sys.exit(1)
    manager = None
    if manager_number is not None:
        manager = db.session.scalar(select(Manager).where(Manager.employee_number == manager_number.strip()))
        if manager is None:
            click.echo(f"No manager has the employee number {manager_number}; nothing was created.", err=True)
            sys.exit(1)
        if manager.user is not None:
            click.echo(
                f"{manager.name} ({manager_number}) already has the account {manager.user.email}; "
                "nothing was created.",
                err=True,
            )
            sys.exit(1)
        roles = tuple(dict.fromkeys((*roles, Role.MANAGER.value)))
    chosen = password or secrets.token_urlsafe(12)
    user = create_user(email, name, chosen, roles={Role(r) for r in roles})
    if manager is not None:
        manager.user = user
    db.session.commit()
    linked = f", linked to {manager.name} ({manager_number})" if manager is not None else ""
    click.echo(f"Created {email} with roles: {', '.join(roles) or 'none'}{linked}.")
    if password is None:
        click.echo(f"Password: {chosen}")


@users_cli.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable an account at once: its sessions end and it can no longer log in or use its API tokens."""
    _set_account_enabled(email, enabled=False)


@users_cli.command("enable")
@click.argument("email")
def users_enable(email: str) -> None:
    """Enable a disabled account again (the person logs in with their password or a reset link)."""
    _set_account_enabled(email, enabled=True)


def _set_account_enabled(email: str, *, enabled: bool) -> None:
    from lifecycle.services.accounts import get_user_by_email
    from lifecycle.services.accounts import set_enabled

    user = get_user_by_email(email)
    if user is None:
        click.echo(f"No user has the e-mail {email}.", err=True)
        sys.exit(1)
    set_enabled(user, enabled)
    db.session.commit()
    click.echo(f"{user.email} is {'enabled' if enabled else 'disabled; every session of it has ended'}.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Fill the database with a believable demo municipality; running it again adds nothing."""
    from lifecycle.services.demo import DEMO_PASSWORD
    from lifecycle.services.demo import seed_demo_data
    from lifecycle.services.demo_reminders import bring_demo_reminders_forward
    from lifecycle.services.platform import get_platform

    if get_platform() is None:
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    summary = seed_demo_data()
    brought_forward = bring_demo_reminders_forward()
    db.session.commit()
    click.echo(
        f"Demo municipality ready: {summary.units} units, {summary.managers} managers "
        f"({summary.created} new this time)."
    )
    if brought_forward:
        click.echo(
            f"{len(brought_forward)} reminders are due now (a review's, a milestone's and an overdue item's "
            "escalation): a running worker sends them within a minute."
        )
    click.echo("Demo logins (all share one password):")
    for email, label in summary.logins:
        click.echo(f"  {email:<40} {label}")
    click.echo(f"Password: {DEMO_PASSWORD}")


@click.command("api-token")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True, help="What the token is for.")
@with_appcontext
def api_token(email: str, name: str) -> None:
    """Create a personal API token for the user and print it (it is shown only this once)."""
    from lifecycle.services.accounts import get_user_by_email
    from lifecycle.services.tokens import create_token

    user = get_user_by_email(email)
    if user is None:
        click.echo(f"No user has the e-mail {email}.", err=True)
        sys.exit(1)
    if not user.is_enabled:
        click.echo(f"The account {email} is disabled; its tokens would not work.", err=True)
        sys.exit(1)
    token, secret = create_token(user, name)
    db.session.commit()
    click.echo(f"Created the API token '{token.name}' for {user.email}; it is not shown again:")
    click.echo(secret)


@click.command("import-managers")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Write the changes; without it the file is only checked.")
@with_appcontext
def import_managers(path: Path, commit: bool) -> None:
    """Check a CSV file of managers row by row, and import it with --commit if it has no errors."""
    from lifecycle.services import imports

    _import_file(
        path,
        commit,
        lambda content, today: imports.plan_import(imports.read_import_file(content), today),
        lambda plan, today: imports.apply_import(plan, actor=None, today=today),
    )


@click.command("import-activities")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Write the activities; without it the file is only checked.")
@with_appcontext
def import_activities(path: Path, commit: bool) -> None:
    """Check a CSV file of activities row by row, and import it with --commit if it has no errors."""
    from lifecycle.services import activity_imports

    _import_file(
        path,
        commit,
        lambda content, today: activity_imports.plan_activity_import(
            activity_imports.read_activity_file(content), today
        ),
        lambda plan, today: activity_imports.apply_activity_import(plan, actor=None),
    )


_Plan = TypeVar("_Plan", bound=PlanReport)


def _import_file(
    path: Path,
    commit: bool,
    plan_file: Callable[[bytes, date], _Plan],
    apply_plan: Callable[[_Plan, date], None],
) -> None:
    """Print the file's report in English; with `commit` and no errors, apply it and keep the file."""
    from flask_babel import force_locale

    from lifecycle.services.imports import ImportFileError
    from lifecycle.services.imports import keep_applied_file
    from lifecycle.services.imports import report_lines
    from lifecycle.timeutil import local_today

    content = path.read_bytes()
    today = local_today()
    with force_locale("en_GB"):
        try:
            plan = plan_file(content, today)
        except ImportFileError as exc:
            click.echo(f"{path}: {exc}", err=True)
            sys.exit(1)
        for line in report_lines(plan):
            click.echo(line)
        if plan.has_errors:
            click.echo(f"{path}: the file has errors; nothing was written.", err=True)
            sys.exit(1)
        if not commit:
            click.echo("Dry run: nothing was written. Run again with --commit to import.")
            return
        apply_plan(plan, today)
        keep_applied_file(content, path.name, plan)
    db.session.commit()
    click.echo(f"{path}: imported.")


@imports_cli.command("run")
@click.argument("import_id", type=int)
def imports_run(import_id: int) -> None:
    """Write a checked or confirmed import file now, in this process, as the worker would."""
    from flask_babel import force_locale

    from lifecycle.enums import ImportStatus
    from lifecycle.services.import_jobs import UNFINISHED
    from lifecycle.services.import_jobs import ImportJobError
    from lifecycle.services.import_jobs import load_job
    from lifecycle.services.import_jobs import queue_job
    from lifecycle.services.import_jobs import render_failure
    from lifecycle.services.import_jobs import run_job
    from lifecycle.timeutil import local_today

    record = load_job(import_id)
    if record is None:
        click.echo(f"There is no import {import_id}.", err=True)
        sys.exit(1)
    # A job left queued or running (the worker is gone) runs as it is; any other is confirmed first.
    if record.status not in UNFINISHED:
        try:
            queue_job(record, None)
        except ImportJobError as exc:
            with force_locale("en_GB"):
                click.echo(f"Import {import_id}: {exc}", err=True)
            sys.exit(1)
        db.session.commit()
    run_job(import_id, local_today(), commit=db.session.commit, rollback=db.session.rollback)
    record = load_job(import_id)
    if record is None or record.status is not ImportStatus.DONE:
        with force_locale("en_GB"):
            reason = render_failure(record) if record is not None else ""
        click.echo(f"Import {import_id} failed: {reason}", err=True)
        sys.exit(1)
    click.echo(f"Import {import_id} ({record.filename}): imported, {record.rows_done} rows.")


@introductions_cli.command("ensure-default")
def introductions_ensure_default() -> None:
    """Create the default introduction programme for new managers unless it exists."""
    from lifecycle.services.introductions import ensure_default_template
    from lifecycle.services.platform import get_platform

    if get_platform() is None:
        click.echo("Load the leadership platform first: its pillars tag the milestones.", err=True)
        sys.exit(1)
    template = ensure_default_template()
    db.session.commit()
    default = " (the default)" if template.is_default else ""
    click.echo(f"The programme '{template.name}'{default} has {len(template.milestones)} milestones.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(platform_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(introductions_cli)
    app.cli.add_command(imports_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(import_managers)
    app.cli.add_command(import_activities)
    app.cli.add_command(api_token)
    app.cli.add_command(gdpr_cli)


# -- personal data (GDPR): lifecycle/services/gdpr.py ------------------------------------------------

gdpr_cli = AppGroup("gdpr", help="Personal data (GDPR): export, anonymise, retention.")
#: what the audit log records as the source of a change made with these commands
GDPR_SOURCE = SOURCE_CLI

_actor_option = click.option(
    "--actor",
    "actor_email",
    default=None,
    metavar="EMAIL",
    help="The e-mail of the user running the command, recorded as the actor in the audit log.",
)


def _manager_or_exit(manager_id: int) -> Manager:
    manager = db.session.get(Manager, manager_id)
    if manager is None:
        click.echo(f"No manager has the id {manager_id}.", err=True)
        sys.exit(1)
    return manager


def _actor_or_exit(email: str | None) -> User | None:
    from lifecycle.services.accounts import get_user_by_email

    if email is None:
        return None
    user = get_user_by_email(email)
    if user is None:
        click.echo(f"No user has the e-mail {email}.", err=True)
        sys.exit(1)
    return user


def _write_private(path: Path, text: str) -> None:
    """Write the file readable by its owner only, from the first byte (it holds personal data)."""
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    # An existing file keeps its mode through O_CREAT: narrow it before anything is written.
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


@gdpr_cli.command("export")
@click.argument("manager_id", type=click.IntRange(min=1))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the JSON to this file instead of printing it.",
)
@_actor_option
def gdpr_export(manager_id: int, output: Path | None, actor_email: str | None) -> None:
    """Print (or write) everything that refers to one person as JSON; the export is audited."""
    import json

    from lifecycle.services.gdpr import export_person

    actor = _actor_or_exit(actor_email)
    document = export_person(_manager_or_exit(manager_id), actor=actor, source=GDPR_SOURCE)
    db.session.commit()
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
        return
    _write_private(output, text + "\n")
    click.echo(f"Personal data of manager {manager_id} written to {output}.")


@gdpr_cli.command("anonymise")
@click.argument("manager_id", type=click.IntRange(min=1))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_actor_option
def gdpr_anonymise(manager_id: int, yes: bool, actor_email: str | None) -> None:
    """Anonymise one person: their personal data is erased for good, statistics stay."""
    from lifecycle.enums import Stage
    from lifecycle.services.gdpr import anonymise_person

    actor = _actor_or_exit(actor_email)
    manager = _manager_or_exit(manager_id)
    if manager.anonymised_at is not None:
        click.echo(f"Manager {manager_id} is already anonymised; nothing changed.")
        return
    if manager.stage is not Stage.CLOSED:
        click.echo(f"Warning: the journey of manager {manager_id} is still open ({manager.stage.value}).")
    if not yes:
        click.confirm(f"Anonymise {manager.name} (manager {manager_id})? This cannot be undone.", abort=True)
    done = anonymise_person(manager, actor=actor, source=GDPR_SOURCE)
    db.session.commit()
    if not done:
        click.echo(f"Manager {manager_id} was anonymised meanwhile; nothing changed.")
        return
    click.echo(f"Manager {manager_id} is anonymised.")


_dry_run_option = click.option("--dry-run", is_flag=True, help="Only list who is due; change nothing.")
_today_option = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Count from this day instead of today (YYYY-MM-DD).",
)


@gdpr_cli.command("retention")
@_dry_run_option
@_today_option
def gdpr_retention(dry_run: bool, today: datetime | None) -> None:
    """Anonymise the closed journeys past GDPR_RETENTION_DAYS (what the daily job does)."""
    from lifecycle.services.gdpr import apply_retention
    from lifecycle.services.gdpr import retention_candidates
    from lifecycle.services.gdpr import retention_period
    from lifecycle.timeutil import local_today

    day = today.date() if today else local_today()
    period = retention_period()
    if dry_run:
        due = retention_candidates(day, period)
        for manager in due:
            click.echo(f"manager {manager.id}: closed on {manager.stage_entered_on.isoformat()}")
        click.echo(f"Dry run: {len(due)} closed journeys are past {period.days} days; nothing was changed.")
        return
    done = apply_retention(day, after_batch=db.session.commit)
    db.session.commit()
    click.echo(f"{len(done)} closed journeys past {period.days} days anonymised.")


@gdpr_cli.command("pool-retention")
@_dry_run_option
@_today_option
def pool_retention(dry_run: bool, today: datetime | None) -> None:
    """Remove the talent-pool members whose consent has run out (what the daily job does)."""
    from lifecycle.services.talent_pool import apply_pool_retention
    from lifecycle.services.talent_pool.members import pool_retention_period
    from lifecycle.services.talent_pool.retention import expired_profiles
    from lifecycle.timeutil import local_today

    day = today.date() if today else local_today()
    period = pool_retention_period()
    if dry_run:
        due = expired_profiles(day, period)
        for profile in due:
            # Ids only: the output may end up in a log that outlives the person's data.
            click.echo(
                f"pool member {profile.id} (manager {profile.manager_id}): "
                f"consent given on {profile.consent_given_on.isoformat()}"
            )
        click.echo(
            f"Dry run: {len(due)} pool members' consent ran out ({period.days} days) or their journey "
            "closed; nothing was changed."
        )
        return
    done = apply_pool_retention(day, after_batch=db.session.commit)
    db.session.commit()
    click.echo(
        f"{len(done.removed)} pool members removed, {len(done.anonymised)} people anonymised with them."
    )


@gdpr_cli.command("candidate-retention")
@_dry_run_option
@_today_option
def candidate_retention(dry_run: bool, today: datetime | None) -> None:
    """Anonymise the candidates not selected past CANDIDATE_RETENTION_DAYS (what the daily job does)."""
    from lifecycle.services.recruitment.retention import apply_candidate_retention
    from lifecycle.services.recruitment.retention import candidate_retention_period
    from lifecycle.services.recruitment.retention import candidates_past_retention
    from lifecycle.timeutil import local_today

    day = today.date() if today else local_today()
    period = candidate_retention_period()
    if dry_run:
        due = candidates_past_retention(day, period)
        for manager in due:
            click.echo(f"manager {manager.id}: not selected")
        click.echo(
            f"Dry run: {len(due)} candidates not selected are past {period.days} days; nothing was changed."
        )
        return
    done = apply_candidate_retention(day, after_batch=db.session.commit)
    db.session.commit()
    click.echo(f"{len(done)} candidates not selected past {period.days} days anonymised.")
