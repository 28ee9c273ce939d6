"""Development review pages: the assessment form for the manager and the line manager, and completion."""

from __future__ import annotations

from datetime import date

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from lifecycle.blueprints.plans.views import bp
from lifecycle.enums import Assessor
from lifecycle.extensions import db
from lifecycle.models import DevelopmentReview
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.policy import can_comment_plan
from lifecycle.policy import get_plan_owner_or_404
from lifecycle.policy import signed_in
from lifecycle.services.audit import record_read
from lifecycle.services.platform import get_platform
from lifecycle.services.reviews import ReviewError
from lifecycle.services.reviews import assessor_for
from lifecycle.services.reviews import complete_review
from lifecycle.services.reviews import record_assessments
from lifecycle.timeutil import local_today
from lifecycle.urls import parse_id

MAX_COMMENT = 2000


def _review(manager_id: int, review_id: int) -> tuple[User, Manager, DevelopmentReview]:
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    review = db.session.get(DevelopmentReview, review_id)
    if review is None or review.plan.manager_id != manager.id:
        abort(404)
    return user, manager, review


def _render(
    user: User, manager: Manager, review: DevelopmentReview, errors: dict[str, str] | None = None
) -> str:
    """Render the review page, and log that `user` read the review if it is someone else's.

    The page shown again with a form's errors is a read too: every way to it comes through here.
    """
    platform = get_platform()
    pillars = [p for p in platform.pillars if not p.is_retired] if platform else []
    given = {(a.expectation_id, a.assessor): a for a in review.assessments}
    page = render_template(
        "plans/review.html",
        manager=manager,
        review=review,
        pillars=pillars,
        given=given,
        assessor=assessor_for(user, manager) if review.completed_on is None else None,
        can_complete=review.completed_on is None and can_comment_plan(user, manager),
        assessors=list(Assessor),
        errors=errors or {},
        today=local_today(),
        form_values=request.form,
    )
    # A view that refused a write rolled it back before rendering: this commit holds the read alone.
    if record_read(user, manager, "review", review.id) is not None:
        db.session.commit()
    return page


@bp.get("/managers/<id:manager_id>/reviews/<id:review_id>")
def review(manager_id: int, review_id: int) -> str:
    """Show a development review: both assessments per expectation, and the forms for who may use them."""
    user, manager, found = _review(manager_id, review_id)
    return _render(user, manager, found)


@bp.post("/managers/<id:manager_id>/reviews/<id:review_id>/assessments")
def assess(manager_id: int, review_id: int) -> str | Response:
    """Save the manager's self-assessment or the line manager's assessment, 1–5 with a comment."""
    user, manager, found = _review(manager_id, review_id)
    assessor = assessor_for(user, manager)
    if assessor is None:
        abort(404)
    scores: dict[int, tuple[int, str]] = {}
    errors: dict[str, str] = {}
    for key, value in request.form.items():
        if not key.startswith("score-") or not value:
            continue
        expectation_id = key.removeprefix("score-")
        comment = request.form.get(f"comment-{expectation_id}", "")
        number = parse_id(expectation_id)
        if number is None or value not in {"1", "2", "3", "4", "5"} or len(comment) > MAX_COMMENT:
            errors[key] = _("A score is from 1 to 5.")
            continue
        scores[number] = (int(value), comment)
    if not scores and not errors:
        errors["scores"] = _("Give at least one expectation a score.")
    if not errors:
        try:
            record_assessments(found, assessor, scores)
        except ReviewError as refused:
            db.session.rollback()
            errors["scores"] = str(refused)
        else:
            db.session.commit()
            flash(_("Your assessment is saved."), "success")
            return redirect(url_for("plans.review", manager_id=manager.id, review_id=found.id))
    return _render(user, manager, found, errors)


@bp.post("/managers/<id:manager_id>/reviews/<id:review_id>/complete")
def complete(manager_id: int, review_id: int) -> str | Response:
    """Complete the review with the agreed next steps, optionally as a new goal in the plan."""
    user, manager, found = _review(manager_id, review_id)
    if not can_comment_plan(user, manager):
        abort(404)
    errors: dict[str, str] = {}
    try:
        completed_on = date.fromisoformat(request.form.get("completed_on", ""))
    except ValueError:
        errors["completed_on"] = _("Enter a date (YYYY-MM-DD).")
        completed_on = local_today()
    next_steps = request.form.get("next_steps", "")[:4000]
    goal_title = request.form.get("goal_title", "")[:200]
    keys = request.form.getlist("goal_expectations")[:50]
    expectations = (
        list(db.session.scalars(select(Expectation).where(Expectation.key.in_(keys)))) if keys else []
    )
    if goal_title.strip() and not expectations:
        errors["goal_expectations"] = _("Tie the goal to at least one expectation.")
    if not errors:
        try:
            complete_review(
                found,
                on=completed_on,
                next_steps=next_steps,
                actor=user,
                goal_title=goal_title,
                goal_expectations=expectations,
            )
        except ReviewError as refused:
            db.session.rollback()
            errors[refused.field] = str(refused)
        else:
            db.session.commit()
            flash(_("The review is completed."), "success")
            return redirect(url_for("plans.show", manager_id=manager.id))
    return _render(user, manager, found, errors)
