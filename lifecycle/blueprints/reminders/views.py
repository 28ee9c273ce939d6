"""HR's reminders page and rules, everyone's e-mail preference, and the beat warning."""

from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lifecycle.blueprints.reminders.forms import PreferencesForm
from lifecycle.blueprints.reminders.forms import ReminderRulesForm
from lifecycle.blueprints.reminders.forms import ResendForm
from lifecycle.db import utcnow
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.models import Reminder
from lifecycle.policy import current
from lifecycle.policy import signed_in
from lifecycle.services.reminders import ReminderKind
from lifecycle.services.reminders import ReminderLine
from lifecycle.services.reminders import ReminderRuleError
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import get_rules
from lifecycle.services.reminders import reminder_lines
from lifecycle.services.reminders import resend_reminder
from lifecycle.services.reminders import set_digest_preference
from lifecycle.services.reminders import set_rules
from lifecycle.services.reminders import status_counts
from lifecycle.services.system import BEAT
from lifecycle.services.system import last_heartbeat
from lifecycle.urls import parse_id
from lifecycle.urls import safe_next

logger = logging.getLogger(__name__)

bp = Blueprint("reminders", __name__, url_prefix="/reminders", template_folder="templates")

#: HR is warned when beat (the dispatcher) has not been seen for this long
BEAT_LATE_AFTER = timedelta(minutes=10)
OVERVIEW_SIZE = 20
PAGE_SIZE = 50
LISTED = (ReminderStatus.PENDING, ReminderStatus.FAILED, ReminderStatus.SENT)


def _cursor(line: ReminderLine, status: ReminderStatus) -> str | None:
    reminder = line.reminder
    moment = reminder.sent_at if status is ReminderStatus.SENT else reminder.due_at
    return f"{moment.isoformat()}_{reminder.id}" if moment else None


def _parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    if not value or "_" not in value:
        return None
    moment, _sep, ident = value.rpartition("_")
    number = parse_id(ident)
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return None
    if number is None or parsed.tzinfo is None:
        return None
    return parsed, number


@bp.get("")
def index() -> str:
    """Show what is coming, what failed (with the reason) and what was sent; or one of them, page by page."""
    chosen = request.args.get("status")
    status = ReminderStatus(chosen) if chosen in {s.value for s in LISTED} else None
    sections: list[tuple[ReminderStatus, list[ReminderLine], str | None]] = []
    for listed in (status,) if status else LISTED:
        size = PAGE_SIZE if status else OVERVIEW_SIZE
        after = _parse_cursor(request.args.get("after")) if status else None
        lines = reminder_lines(listed, limit=size + 1, after=after)
        more = _cursor(lines[size - 1], listed) if len(lines) > size else None
        sections.append((listed, lines[:size], more))
    return render_template(
        "reminders/index.html",
        sections=sections,
        status=status,
        counts=status_counts(),
        heartbeat=last_heartbeat(BEAT),
        resend_form=ResendForm(formdata=None),
    )


@bp.post("/<id:reminder_id>/resend")
def resend(reminder_id: int) -> Response:
    """Send a failed reminder again at the next dispatcher run."""
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None:
        abort(404)
    form = ResendForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        resend_reminder(reminder)
    except ReminderRuleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("reminders.index"))
    db.session.commit()
    flash(_("The reminder will be sent again within a minute."), "success")
    return redirect(url_for("reminders.index", status=ReminderStatus.FAILED.value))


def _rules_form_data() -> dict[str, dict[str, object]]:
    return {kind.value: rule.as_json() for kind, rule in get_rules().items()}


@bp.route("/rules", methods=["GET", "POST"])
def rules() -> tuple[str, int] | Response:
    """Show and change when reminders go out for each kind of item."""
    form = ReminderRulesForm(data=_rules_form_data()) if request.method == "GET" else ReminderRulesForm()
    if form.validate_on_submit():
        chosen = {
            kind: Rule(
                days_before=form[kind.value].days_before.data or None,
                on_due_day=bool(form[kind.value].on_due_day.data),
                days_after=form[kind.value].days_after.data or None,
            )
            for kind in ReminderKind
        }
        try:
            set_rules(chosen)
        except ReminderRuleError as exc:
            flash(str(exc), "error")
            return render_template("reminders/rules.html", form=form), 400
        db.session.commit()
        try:
            # Waiting reminders follow the new rules in the background (it may touch many items).
            current_app.extensions["celery"].send_task("reminders.resync")
            flash(_("The rules are saved. Waiting reminders are being recomputed."), "success")
        except Exception:
            logger.exception("could not queue the reminder resync")
            flash(
                _("The rules are saved; they apply to items as they change (the worker is not reachable)."),
                "warning",
            )
        return redirect(url_for("reminders.rules"))
    status = 400 if form.is_submitted() else 200
    return render_template("reminders/rules.html", form=form), status


@bp.post("/preferences")
def preferences() -> Response:
    """Choose single e-mails or one daily digest for one's own reminders."""
    user = signed_in()
    form = PreferencesForm()
    if not form.validate_on_submit():
        abort(400)
    set_digest_preference(user, form.delivery.data == "digest")
    db.session.commit()
    flash(_("Your e-mail preference is saved."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("account.settings") + "#reminders"))


@bp.app_template_global()
def beat_is_late() -> bool:
    """Whether the dispatcher has not run for ten minutes (or never): HR sees a warning on every page."""
    try:
        seen = last_heartbeat(BEAT)
    except Exception:  # an error page must render even when the database does not answer
        logger.exception("could not read beat's heartbeat")
        return False
    return seen is None or utcnow() - seen > BEAT_LATE_AFTER


@bp.app_template_global()
def my_upcoming_reminders(limit: int = 5) -> list[ReminderLine]:
    """Return the logged-in user's next reminders, for their own plan page."""
    user = current()
    if user is None:
        return []
    return reminder_lines(ReminderStatus.PENDING, limit=limit, recipient=user)


@bp.app_template_global()
def reminder_preferences_form() -> PreferencesForm:
    """Return the preference form filled with the logged-in user's choice, for the settings page."""
    user = current()
    choice = "digest" if user is not None and user.wants_digest else "single"
    return PreferencesForm(delivery=choice, formdata=None)
