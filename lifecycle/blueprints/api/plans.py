"""JSON API v1, the development side: activities, plans and goals, reviews, pillar coverage, the catalogue.

Registered on the same blueprint as `views`, under the same rules: objects load through
`lifecycle.policy` (one the caller may not see or change is a 404), input is checked by
`plan_schemas`, a service makes the change and flushes, and the view commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from typing import Any
from typing import NoReturn

from flask import abort
from flask import jsonify
from flask import request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.plan_schemas import ACTIVITY_CANCEL
from lifecycle.blueprints.api.plan_schemas import ACTIVITY_COMPLETE
from lifecycle.blueprints.api.plan_schemas import ACTIVITY_CREATE
from lifecycle.blueprints.api.plan_schemas import ASSESSMENTS_SET
from lifecycle.blueprints.api.plan_schemas import CATALOGUE_DECIDES
from lifecycle.blueprints.api.plan_schemas import COMMENT_CREATE
from lifecycle.blueprints.api.plan_schemas import GOAL_CREATE
from lifecycle.blueprints.api.plan_schemas import GOAL_UPDATE
from lifecycle.blueprints.api.plan_schemas import GROUP_ACTIVITY_CREATE
from lifecycle.blueprints.api.plan_schemas import REVIEW_COMPLETE
from lifecycle.blueprints.api.plan_schemas import activity_json
from lifecycle.blueprints.api.plan_schemas import catalogue_item_json
from lifecycle.blueprints.api.plan_schemas import comment_json
from lifecycle.blueprints.api.plan_schemas import coverage_json
from lifecycle.blueprints.api.plan_schemas import goal_json
from lifecycle.blueprints.api.plan_schemas import parse_activity_query
from lifecycle.blueprints.api.plan_schemas import parse_unit_coverage_query
from lifecycle.blueprints.api.plan_schemas import plan_json
from lifecycle.blueprints.api.plan_schemas import review_json
from lifecycle.blueprints.api.plan_schemas import unit_coverage_json
from lifecycle.blueprints.api.schemas import MAX_ID
from lifecycle.blueprints.api.schemas import json_body
from lifecycle.blueprints.api.schemas import keyset_page
from lifecycle.blueprints.api.views import MANAGER_ID
from lifecycle.blueprints.api.views import _conflicts_as_409
from lifecycle.blueprints.api.views import bp
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import CatalogueItem
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models import PlanGoal
from lifecycle.models import User
from lifecycle.models.activities import ActivityWithoutPillarError
from lifecycle.policy import can_comment_plan
from lifecycle.policy import can_edit_plan
from lifecycle.policy import changeable_activity_or_404
from lifecycle.policy import completable_review_or_404
from lifecycle.policy import editable_goal_or_404
from lifecycle.policy import get_activity_adder_or_404
from lifecycle.policy import get_plan_commenter_or_404
from lifecycle.policy import get_plan_editor_or_404
from lifecycle.policy import get_plan_owner_or_404
from lifecycle.policy import readable_review_or_404
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import add_from_catalogue
from lifecycle.services.activities import cancel_activity
from lifecycle.services.activities import complete_activity
from lifecycle.services.activities import resolve_tags
from lifecycle.services.audit import record_read
from lifecycle.services.coverage import heatmap_rows
from lifecycle.services.coverage import manager_coverage
from lifecycle.services.coverage import unit_heatmap
from lifecycle.services.coverage import window_start
from lifecycle.services.plan_queries import activities_page
from lifecycle.services.plan_queries import activity_with_tags
from lifecycle.services.plan_queries import catalogue_item_with_tags
from lifecycle.services.plan_queries import current_plan_in_full
from lifecycle.services.plan_queries import expectations_by_key
from lifecycle.services.plan_queries import goal_of
from lifecycle.services.plan_queries import managers_among
from lifecycle.services.plan_queries import offered_catalogue
from lifecycle.services.plan_queries import participant_counts
from lifecycle.services.plan_queries import review_in_full
from lifecycle.services.plan_queries import reviews_of
from lifecycle.services.plan_queries import upcoming_reviews
from lifecycle.services.plans import PlanError
from lifecycle.services.plans import add_comment
from lifecycle.services.plans import add_goal
from lifecycle.services.plans import ensure_plan
from lifecycle.services.plans import set_goal_status
from lifecycle.services.platform import get_platform
from lifecycle.services.reviews import ReviewError
from lifecycle.services.reviews import assessor_for
from lifecycle.services.reviews import complete_review
from lifecycle.services.reviews import record_assessments
from lifecycle.timeutil import local_today

ACTIVITY_ID = f"<int(min=1, max={MAX_ID}):activity_id>"
GOAL_ID = f"<int(min=1, max={MAX_ID}):goal_id>"
REVIEW_ID = f"<int(min=1, max={MAX_ID}):review_id>"
#: how many not yet completed reviews the plan shows
UPCOMING_REVIEWS = 10
#: the services' names for fields the API calls otherwise
API_FIELD_NAMES = {"catalogue_item": "catalogue_item_id"}


@contextmanager
def _refusals_as_422(rename: Mapping[str, str] | None = None) -> Iterator[None]:
    """Answer 422 with a field error when a service refuses the change (the handler rolls back)."""
    names = {**API_FIELD_NAMES, **(rename or {})}
    try:
        yield
    except (ActivityError, PlanError, ReviewError) as refused:
        field = names.get(refused.field, refused.field)
        raise ApiError(422, str(refused), fields={field: [str(refused)]}) from refused
    except ActivityWithoutPillarError as refused:
        message = _("Choose at least one pillar the activity builds.")
        raise ApiError(422, message, fields={"pillars": [message]}) from refused


def _refuse(status: int, field: str, message: str) -> NoReturn:
    raise ApiError(status, message, fields={field: [message]})


def _optional_body() -> dict[str, Any]:
    """Return the JSON object sent, or an empty one when the request has no body at all."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


# -- loading --------------------------------------------------------------------------------------


def _expectations(keys: Iterable[str], field: str) -> list[Expectation]:
    """Load expectations by key; a key that names none is a 422 on `field`."""
    found, unknown = expectations_by_key(keys)
    if unknown:
        _refuse(422, field, _("Unknown expectation: %(keys)s.", keys=", ".join(sorted(unknown))))
    return found


def _catalogue_item(item_id: int) -> CatalogueItem:
    item = catalogue_item_with_tags(item_id)
    if item is None:
        _refuse(422, "catalogue_item_id", _("The catalogue item does not exist."))
    return item


def _goal_of(manager: Manager, goal_id: int | None) -> PlanGoal | None:
    """Load a goal of the manager's plans; another manager's goal is as unknown as a missing one."""
    if goal_id is None:
        return None
    goal = goal_of(manager, goal_id)
    if goal is None:
        _refuse(422, "goal_id", _("The goal does not exist in this manager's plan."))
    return goal


def _activity_response(activity_id: int, status: int = 200) -> tuple[Response, int]:
    """Answer with the activity as stored (services expire what they touched, so load it again)."""
    activity = activity_with_tags(activity_id)
    if activity is None:  # removed by someone else since this request wrote it
        abort(404)
    body = activity_json(activity, len(activity.participants), local_today())
    return jsonify(body), status


def _review_response(review_id: int) -> Response:
    review = review_in_full(review_id)
    if review is None:  # removed by someone else since this request wrote it
        abort(404)
    return jsonify(review_json(review, review.plan.manager_id))


# -- activities -----------------------------------------------------------------------------------


@bp.get(f"/managers/{MANAGER_ID}/activities")
def list_activities(manager_id: int) -> Response:
    """A page of the manager's activities, ordered by id; for those who may read the plan."""
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    query = parse_activity_query(request.args)
    today = local_today()
    page, more = activities_page(
        manager, after_id=query.after_id, status=query.status, today=today, limit=query.limit
    )
    counts = participant_counts([activity.id for activity in page])
    response = jsonify(
        keyset_page(
            [activity_json(activity, counts.get(activity.id, 0), today) for activity in page],
            page[-1].id if more else None,
        )
    )
    record_read(user, manager, "activity")
    db.session.commit()
    return response


def _new_activity(values: dict[str, Any], participants: list[Manager], user: User, **extra: Any) -> Activity:
    """Add an activity from the request's own fields; the pillar rule is the service's."""
    for field in ("kind", "title"):
        if field not in values:
            _refuse(400, field, _("This field is required."))
    pillars, expectations = resolve_tags(values.get("pillars", []), values.get("expectations", []))
    return add_activity(
        kind=values["kind"],
        title=values["title"],
        participants=participants,
        pillars=pillars,
        expectations=expectations,
        actor=user,
        description=values.get("description") or "",
        stage=values.get("stage"),
        due_on=values.get("due_on"),
        completed_on=values.get("completed_on"),
        **extra,
    )


def _refuse_catalogue_overrides(values: dict[str, Any]) -> None:
    overrides = [field for field in CATALOGUE_DECIDES if field in values]
    if overrides:
        message = _("Leave this out when catalogue_item_id is given: the catalogue item decides it.")
        raise ApiError(400, _("Some fields are not valid."), fields={f: [message] for f in overrides})


@bp.post(f"/managers/{MANAGER_ID}/activities")
def create_activity(manager_id: int) -> tuple[Response, int]:
    """Add an activity for one manager: HR for anyone, a manager to their own plan."""
    user = signed_in()
    manager = get_activity_adder_or_404(user, manager_id)
    values = ACTIVITY_CREATE.parse(json_body())
    item_id = values.get("catalogue_item_id")
    if item_id is not None:
        _refuse_catalogue_overrides(values)
    goal = _goal_of(manager, values.get("goal_id"))
    with _refusals_as_422():
        if item_id is not None:
            activity = add_from_catalogue(
                _catalogue_item(item_id), manager, user, due_on=values.get("due_on"), goal=goal
            )
            if values.get("completed_on") is not None:
                complete_activity(activity, values["completed_on"])
        else:
            activity = _new_activity(values, [manager], user, goal=goal)
    activity_id = activity.id
    db.session.commit()
    return _activity_response(activity_id, 201)


@bp.post("/activities")
def create_group_activity() -> tuple[Response, int]:
    """Add one activity for a group of managers (HR); it counts for each of them."""
    user = signed_in()
    values = GROUP_ACTIVITY_CREATE.parse(json_body())
    ids = values["participants"]
    participants = managers_among(ids, visible_managers_clause(user))
    missing = set(ids) - {manager.id for manager in participants}
    if missing:
        listed = ", ".join(str(manager_id) for manager_id in sorted(missing))
        _refuse(422, "participants", _("No such manager: %(ids)s.", ids=listed))
    item_id = values.get("catalogue_item_id")
    with _refusals_as_422():
        if item_id is None:
            activity = _new_activity(values, participants, user)
        else:
            _refuse_catalogue_overrides(values)
            item = _catalogue_item(item_id)
            if not item.is_active:
                _refuse(422, "catalogue_item_id", _("That activity is no longer offered."))
            activity = add_activity(
                kind=item.kind,
                title=item.title,
                description=item.description,
                participants=participants,
                pillars=[pillar for pillar in item.pillars if not pillar.is_retired],
                expectations=[e for e in item.expectations if not e.is_retired],
                actor=user,
                due_on=values.get("due_on"),
                completed_on=values.get("completed_on"),
                catalogue_item=item,
            )
    activity_id = activity.id
    db.session.commit()
    return _activity_response(activity_id, 201)


@bp.post(f"/activities/{ACTIVITY_ID}/complete")
def mark_activity_completed(activity_id: int) -> tuple[Response, int]:
    """Mark an activity completed (default today): HR, or the manager whose own activity it is."""
    activity = changeable_activity_or_404(signed_in(), activity_with_tags(activity_id))
    values = ACTIVITY_COMPLETE.parse(_optional_body())
    with _refusals_as_422():
        complete_activity(activity, values.get("completed_on") or local_today())
    db.session.commit()
    return _activity_response(activity_id)


@bp.post(f"/activities/{ACTIVITY_ID}/cancel")
def mark_activity_cancelled(activity_id: int) -> tuple[Response, int]:
    """Cancel an activity that will not happen: HR, or the manager whose own activity it is."""
    activity = changeable_activity_or_404(signed_in(), activity_with_tags(activity_id))
    ACTIVITY_CANCEL.parse(_optional_body())
    # Cancelling again changes nothing: the first cancellation's time is kept.
    if activity.cancelled_at is None:
        with _refusals_as_422():
            cancel_activity(activity)
        db.session.commit()
    return _activity_response(activity_id)


# -- the plan -------------------------------------------------------------------------------------


@bp.get(f"/managers/{MANAGER_ID}/plan")
def show_plan(manager_id: int) -> Response:
    """The manager's current plan: goals, comments and upcoming reviews; for those who may read it."""
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    today = local_today()
    plan = current_plan_in_full(manager, today)
    upcoming = upcoming_reviews(manager, UPCOMING_REVIEWS)
    response = jsonify(
        plan_json(
            manager,
            plan,
            upcoming,
            can_edit=can_edit_plan(user, manager),
            can_comment=can_comment_plan(user, manager),
        )
    )
    record_read(user, manager, "plan", plan.id if plan else None)
    db.session.commit()
    return response


@bp.post(f"/managers/{MANAGER_ID}/plan/goals")
def create_goal(manager_id: int) -> tuple[Response, int]:
    """Add a goal tied to expectations to the manager's own current plan (started if needed)."""
    manager = get_plan_editor_or_404(signed_in(), manager_id)
    values = GOAL_CREATE.parse(json_body())
    expectations = _expectations(values.get("expectations", []), "expectations")
    # Two first goals at once would both start the year's plan: the second is told to try again.
    with _conflicts_as_409(), _refusals_as_422():
        goal = add_goal(
            ensure_plan(manager, local_today()),
            title=values["title"],
            expectations=expectations,
            target_on=values.get("target_on"),
            description=values.get("description") or "",
        )
        db.session.commit()
    return jsonify(goal_json(goal)), 201


@bp.patch(f"/goals/{GOAL_ID}")
def update_goal(goal_id: int) -> Response:
    """Change how far a goal has come; the plan's owner only."""
    goal = editable_goal_or_404(signed_in(), db.session.get(PlanGoal, goal_id))
    values = GOAL_UPDATE.parse(json_body())
    set_goal_status(goal, values["status"])
    db.session.commit()
    return jsonify(goal_json(goal))


@bp.post(f"/managers/{MANAGER_ID}/plan/comments")
def create_plan_comment(manager_id: int) -> tuple[Response, int]:
    """Comment on the manager's current plan: the line manager or HR."""
    user = signed_in()
    manager = get_plan_commenter_or_404(user, manager_id)
    values = COMMENT_CREATE.parse(json_body())
    with _conflicts_as_409(), _refusals_as_422():
        comment = add_comment(ensure_plan(manager, local_today()), user, values["body"])
        db.session.commit()
    return jsonify(comment_json(comment)), 201


# -- reviews --------------------------------------------------------------------------------------


@bp.get(f"/managers/{MANAGER_ID}/reviews")
def list_reviews(manager_id: int) -> Response:
    """The manager's development reviews, scheduled and completed, newest first, with assessments."""
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    response = jsonify({"items": [review_json(review, manager.id) for review in reviews_of(manager)]})
    record_read(user, manager, "review")
    db.session.commit()
    return response


@bp.put(f"/reviews/{REVIEW_ID}/assessments")
def set_review_assessments(review_id: int) -> Response:
    """Save the caller's scores in a review: the manager's own, or their line manager's."""
    user = signed_in()
    review = readable_review_or_404(user, review_in_full(review_id))
    assessor = assessor_for(user, review.plan.manager)
    if assessor is None:
        abort(404)
    scores = ASSESSMENTS_SET.parse(json_body())["scores"]
    by_key = {e.key: e.id for e in _expectations((score["expectation"] for score in scores), "scores")}
    # The same assessor saving twice at once would add the same score twice: the second is a 409.
    with _conflicts_as_409(), _refusals_as_422():
        record_assessments(
            review,
            assessor,
            {by_key[s["expectation"]]: (s["score"], s.get("comment") or "") for s in scores},
        )
        db.session.commit()
    return _review_response(review_id)


@bp.post(f"/reviews/{REVIEW_ID}/complete")
def mark_review_completed(review_id: int) -> Response:
    """Complete a review with its next steps, optionally as a new goal: the line manager or HR."""
    user = signed_in()
    review = completable_review_or_404(user, review_in_full(review_id))
    values = REVIEW_COMPLETE.parse(json_body())
    goal = values.get("goal") or {}
    expectations = _expectations(goal.get("expectations", []), "goal")
    with _refusals_as_422(rename={"title": "goal", "expectations": "goal"}):
        complete_review(
            review,
            on=values.get("completed_on") or local_today(),
            next_steps=values.get("next_steps") or "",
            actor=user,
            goal_title=goal.get("title", ""),
            goal_expectations=expectations,
        )
    db.session.commit()
    return _review_response(review_id)


# -- coverage and the catalogue --------------------------------------------------------------------


@bp.get(f"/managers/{MANAGER_ID}/coverage")
def show_manager_coverage(manager_id: int) -> Response:
    """Completed activities per pillar and expectation in the last twelve months; for plan readers."""
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    platform = get_platform()
    pillars = list(platform.pillars) if platform else []
    today = local_today()
    counts = manager_coverage(manager, pillars, today)
    response = jsonify(coverage_json(manager, counts, window_start(today), today))
    record_read(user, manager, "coverage")
    db.session.commit()
    return response


@bp.get("/coverage/units")
def show_unit_coverage() -> Response:
    """HR's heatmap: per unit, the share of managers in post who built each pillar in twelve months."""
    user = signed_in()
    unit_id = parse_unit_coverage_query(request.args)
    platform = get_platform()
    pillars: list[Pillar] = [p for p in platform.pillars if not p.is_retired] if platform else []
    today = local_today()
    rows = unit_heatmap(heatmap_rows(unit_id), pillars, visible_managers_clause(user), today)
    return jsonify(unit_coverage_json(unit_id, pillars, rows, window_start(today), today))


@bp.get("/catalogue")
def list_catalogue() -> Response:
    """The activities HR offers, with the pillars and expectations an activity made from one gets."""
    signed_in()
    return jsonify({"items": [catalogue_item_json(item) for item in offered_catalogue()]})
