"""JSON API v1, the development side: activities, plans and goals, reviews, pillar coverage, the catalogue.

Registered on the same blueprint as `views`, under the same rules: objects load through
`lifecycle.policy` (one the caller may not see or change is a 404), bodies and responses are
the models of `plan_schemas`, a service makes the change and flushes, and the view commits once.
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

from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import Items
from lifecycle.blueprints.api.contract import Page
from lifecycle.blueprints.api.contract import json_body
from lifecycle.blueprints.api.contract import optional_json_body
from lifecycle.blueprints.api.contract import parse_body
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.errors import refusals_as_422
from lifecycle.blueprints.api.operations import WRITE_ERRORS
from lifecycle.blueprints.api.plan_schemas import ACTIVITY_QUERY_PARAMETERS
from lifecycle.blueprints.api.plan_schemas import CATALOGUE_DECIDES
from lifecycle.blueprints.api.plan_schemas import UNIT_COVERAGE_PARAMETERS
from lifecycle.blueprints.api.plan_schemas import Activity as ActivityOut
from lifecycle.blueprints.api.plan_schemas import ActivityCancel
from lifecycle.blueprints.api.plan_schemas import ActivityComplete
from lifecycle.blueprints.api.plan_schemas import ActivityCreate
from lifecycle.blueprints.api.plan_schemas import AssessmentsSet
from lifecycle.blueprints.api.plan_schemas import CatalogueItem as CatalogueItemOut
from lifecycle.blueprints.api.plan_schemas import Goal
from lifecycle.blueprints.api.plan_schemas import GoalCreate
from lifecycle.blueprints.api.plan_schemas import GoalUpdate
from lifecycle.blueprints.api.plan_schemas import GroupActivityCreate
from lifecycle.blueprints.api.plan_schemas import GroupGoal
from lifecycle.blueprints.api.plan_schemas import ManagerCoverage
from lifecycle.blueprints.api.plan_schemas import Plan
from lifecycle.blueprints.api.plan_schemas import PlanComment as PlanCommentOut
from lifecycle.blueprints.api.plan_schemas import PlanCommentCreate
from lifecycle.blueprints.api.plan_schemas import Review
from lifecycle.blueprints.api.plan_schemas import ReviewComplete
from lifecycle.blueprints.api.plan_schemas import UnitCoverage
from lifecycle.blueprints.api.plan_schemas import parse_activity_query
from lifecycle.blueprints.api.plan_schemas import parse_unit_coverage_query
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
from lifecycle.policy import sees_recruitment_interviews
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
from lifecycle.services.workshops.queries import group_goals_of
from lifecycle.timeutil import local_today

ACTIVITY_ID = f"<int(min=1, max={MAX_ID}):activity_id>"
GOAL_ID = f"<int(min=1, max={MAX_ID}):goal_id>"
REVIEW_ID = f"<int(min=1, max={MAX_ID}):review_id>"
ACTIVITIES, PLANS, REVIEWS, COVERAGE = ["activities"], ["plans"], ["reviews"], ["coverage"]
PLAN_READERS = "For the manager, their line manager, their mentor and HR."
#: how many not yet completed reviews the plan shows
UPCOMING_REVIEWS = 10
#: the services' names for fields the API calls otherwise
API_FIELD_NAMES = {"catalogue_item": "catalogue_item_id"}


@contextmanager
def _refusals_as_422(rename: Mapping[str, str] | None = None) -> Iterator[None]:
    """Answer 422 with a field error when a service refuses the change (the handler rolls back)."""
    names = {**API_FIELD_NAMES, **(rename or {})}
    try:
        with refusals_as_422(
            ActivityError, PlanError, ReviewError, rename=lambda field: names.get(field, field)
        ):
            yield
    except ActivityWithoutPillarError as refused:
        message = _("Choose at least one pillar the activity builds.")
        raise ApiError(422, message, fields={"pillars": [message]}) from refused


def _refuse(status: int, field: str, message: str) -> NoReturn:
    raise ApiError(status, message, fields={field: [message]})


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
    body = ActivityOut.of(activity, len(activity.participants), local_today())
    return jsonify(body.dump()), status


def _review_response(review_id: int) -> Response:
    review = review_in_full(review_id)
    if review is None:  # removed by someone else since this request wrote it
        abort(404)
    return jsonify(Review.of(review, review.plan.manager_id).dump())


# -- activities -----------------------------------------------------------------------------------


@bp.operation(
    "GET",
    f"/managers/{MANAGER_ID}/activities",
    summary="The manager's activities, a page at a time",
    description=f"{PLAN_READERS} Ordered by id; follow `next_cursor` until it is null.",
    tags=ACTIVITIES,
    query=ACTIVITY_QUERY_PARAMETERS,
    response=Page[ActivityOut],
    response_description="A page of activities.",
    errors=(400, 404),
)
def list_activities(manager_id: int) -> Response:
    """A page of the manager's activities, ordered by id; for those who may read the plan."""
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    query = parse_activity_query(request.args)
    today = local_today()
    page, more = activities_page(
        manager,
        after_id=query.after_id,
        status=query.status,
        today=today,
        limit=query.limit,
        with_interviews=sees_recruitment_interviews(user, manager),
    )
    counts = participant_counts([activity.id for activity in page])
    items = [ActivityOut.of(activity, counts.get(activity.id, 0), today) for activity in page]
    response = jsonify(Page[ActivityOut].of(items, page[-1].id if more else None).dump())
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


@bp.operation(
    "POST",
    f"/managers/{MANAGER_ID}/activities",
    summary="Add an activity for the manager",
    description="HR for any manager; a manager for themselves. Without a pillar (given, or implied by "
    "an expectation) the activity is refused with 422.",
    tags=ACTIVITIES,
    body=ActivityCreate,
    response=ActivityOut,
    status=201,
    response_description="The new activity.",
    errors=WRITE_ERRORS,
)
def create_activity(manager_id: int) -> tuple[Response, int]:
    """Add an activity for one manager: HR for anyone, a manager to their own plan."""
    user = signed_in()
    manager = get_activity_adder_or_404(user, manager_id)
    values = parse_body(ActivityCreate, json_body())
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


@bp.operation(
    "POST",
    "/activities",
    summary="Add one activity for a group of managers (HR)",
    tags=ACTIVITIES,
    body=GroupActivityCreate,
    response=ActivityOut,
    status=201,
    response_description="The new activity.",
    errors=WRITE_ERRORS,
)
def create_group_activity() -> tuple[Response, int]:
    """Add one activity for a group of managers (HR); it counts for each of them."""
    user = signed_in()
    values = parse_body(GroupActivityCreate, json_body())
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


@bp.operation(
    "POST",
    f"/activities/{ACTIVITY_ID}/complete",
    summary="Mark an activity completed",
    description="HR, or the manager whose own activity it is (its only participant).",
    tags=ACTIVITIES,
    body=ActivityComplete,
    body_optional=True,
    response=ActivityOut,
    response_description="The activity.",
    errors=WRITE_ERRORS,
)
def mark_activity_completed(activity_id: int) -> tuple[Response, int]:
    """Mark an activity completed (default today): HR, or the manager whose own activity it is."""
    activity = changeable_activity_or_404(signed_in(), activity_with_tags(activity_id))
    values = parse_body(ActivityComplete, optional_json_body())
    with _refusals_as_422():
        complete_activity(activity, values.get("completed_on") or local_today())
    db.session.commit()
    return _activity_response(activity_id)


@bp.operation(
    "POST",
    f"/activities/{ACTIVITY_ID}/cancel",
    summary="Cancel an activity that will not happen",
    description="HR, or the manager whose own activity it is (its only participant). It stays in the "
    "history as cancelled; cancelling again changes nothing.",
    tags=ACTIVITIES,
    body=ActivityCancel,
    body_optional=True,
    response=ActivityOut,
    response_description="The activity.",
    errors=WRITE_ERRORS,
)
def mark_activity_cancelled(activity_id: int) -> tuple[Response, int]:
    """Cancel an activity that will not happen: HR, or the manager whose own activity it is."""
    activity = changeable_activity_or_404(signed_in(), activity_with_tags(activity_id))
    parse_body(ActivityCancel, optional_json_body())
    # Cancelling again changes nothing: the first cancellation's time is kept.
    if activity.cancelled_at is None:
        with _refusals_as_422():
            cancel_activity(activity)
        db.session.commit()
    return _activity_response(activity_id)


# -- the plan -------------------------------------------------------------------------------------


@bp.operation(
    "GET",
    f"/managers/{MANAGER_ID}/plan",
    summary="The manager's current development plan",
    description=PLAN_READERS,
    tags=PLANS,
    response=Plan,
    response_description="The plan.",
    errors=(404,),
)
def show_plan(manager_id: int) -> Response:
    """The manager's current plan: goals, comments and upcoming reviews; for those who may read it."""
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    today = local_today()
    plan = current_plan_in_full(manager, today)
    upcoming = upcoming_reviews(manager, UPCOMING_REVIEWS)
    response = jsonify(
        Plan.of(
            manager,
            plan,
            upcoming,
            can_edit=can_edit_plan(user, manager),
            can_comment=can_comment_plan(user, manager),
        )
        # -- workshops ----
        .model_copy(update={"group_goals": [GroupGoal.of(goal) for goal in group_goals_of(manager)]})
        .dump()
    )
    record_read(user, manager, "plan", plan.id if plan else None)
    db.session.commit()
    return response


@bp.operation(
    "POST",
    f"/managers/{MANAGER_ID}/plan/goals",
    summary="Add a goal to the manager's own plan",
    description="The manager themself only.",
    tags=PLANS,
    body=GoalCreate,
    response=Goal,
    status=201,
    response_description="The new goal.",
    errors=(*WRITE_ERRORS, 409),
)
def create_goal(manager_id: int) -> tuple[Response, int]:
    """Add a goal tied to expectations to the manager's own current plan (started if needed)."""
    manager = get_plan_editor_or_404(signed_in(), manager_id)
    values = parse_body(GoalCreate, json_body())
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
    return jsonify(Goal.of(goal).dump()), 201


@bp.operation(
    "PATCH",
    f"/goals/{GOAL_ID}",
    summary="Change a goal's status",
    description="The manager whose plan it is.",
    tags=PLANS,
    body=GoalUpdate,
    response=Goal,
    response_description="The goal.",
    errors=(400, 403, 404, 415),
)
def update_goal(goal_id: int) -> Response:
    """Change how far a goal has come; the plan's owner only."""
    goal = editable_goal_or_404(signed_in(), db.session.get(PlanGoal, goal_id))
    values = parse_body(GoalUpdate, json_body())
    set_goal_status(goal, values["status"])
    db.session.commit()
    return jsonify(Goal.of(goal).dump())


@bp.operation(
    "POST",
    f"/managers/{MANAGER_ID}/plan/comments",
    summary="Comment on the manager's plan",
    description="The line manager or HR; the manager reads the comments.",
    tags=PLANS,
    body=PlanCommentCreate,
    response=PlanCommentOut,
    status=201,
    response_description="The new comment.",
    errors=(*WRITE_ERRORS, 409),
)
def create_plan_comment(manager_id: int) -> tuple[Response, int]:
    """Comment on the manager's current plan: the line manager or HR."""
    user = signed_in()
    manager = get_plan_commenter_or_404(user, manager_id)
    values = parse_body(PlanCommentCreate, json_body())
    with _conflicts_as_409(), _refusals_as_422():
        comment = add_comment(ensure_plan(manager, local_today()), user, values["body"])
        db.session.commit()
    return jsonify(PlanCommentOut.model_validate(comment).dump()), 201


# -- reviews --------------------------------------------------------------------------------------


@bp.operation(
    "GET",
    f"/managers/{MANAGER_ID}/reviews",
    summary="The manager's development reviews, newest first",
    description=f"{PLAN_READERS} Scheduled and completed, with the assessments.",
    tags=REVIEWS,
    response=Items[Review],
    response_description="The reviews.",
    errors=(404,),
)
def list_reviews(manager_id: int) -> Response:
    """The manager's development reviews, scheduled and completed, newest first, with assessments."""
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    reviews = [Review.of(review, manager.id) for review in reviews_of(manager)]
    response = jsonify(Items[Review](items=reviews).dump())
    record_read(user, manager, "review")
    db.session.commit()
    return response


@bp.operation(
    "PUT",
    f"/reviews/{REVIEW_ID}/assessments",
    summary="Save the caller's assessment in a review",
    description="The manager (self-assessment) or their line manager; the caller's role decides whose "
    "scores these are.",
    tags=REVIEWS,
    body=AssessmentsSet,
    response=Review,
    response_description="The review.",
    errors=(*WRITE_ERRORS, 409),
)
def set_review_assessments(review_id: int) -> Response:
    """Save the caller's scores in a review: the manager's own, or their line manager's."""
    user = signed_in()
    review = readable_review_or_404(user, review_in_full(review_id))
    assessor = assessor_for(user, review.plan.manager)
    if assessor is None:
        abort(404)
    scores = parse_body(AssessmentsSet, json_body())["scores"]
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


@bp.operation(
    "POST",
    f"/reviews/{REVIEW_ID}/complete",
    summary="Complete a review with its next steps",
    description="The line manager or HR. The next steps can become a new goal.",
    tags=REVIEWS,
    body=ReviewComplete,
    response=Review,
    response_description="The review.",
    errors=WRITE_ERRORS,
)
def mark_review_completed(review_id: int) -> Response:
    """Complete a review with its next steps, optionally as a new goal: the line manager or HR."""
    user = signed_in()
    review = completable_review_or_404(user, review_in_full(review_id))
    values = parse_body(ReviewComplete, json_body())
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


@bp.operation(
    "GET",
    f"/managers/{MANAGER_ID}/coverage",
    summary="What the manager built per pillar and expectation in twelve months",
    description=PLAN_READERS,
    tags=COVERAGE,
    response=ManagerCoverage,
    response_description="The counts.",
    errors=(404,),
)
def show_manager_coverage(manager_id: int) -> Response:
    """Completed activities per pillar and expectation in the last twelve months; for plan readers."""
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    platform = get_platform()
    pillars = list(platform.pillars) if platform else []
    today = local_today()
    counts = manager_coverage(manager, pillars, today)
    response = jsonify(ManagerCoverage.of(manager, counts, window_start(today), today).dump())
    record_read(user, manager, "coverage")
    db.session.commit()
    return response


@bp.operation(
    "GET",
    "/coverage/units",
    summary="Pillar coverage per organisation unit (HR)",
    description="Per unit (its sub-units included), the share of managers in post with a completed "
    "activity for each pillar in twelve months.",
    tags=COVERAGE,
    query=UNIT_COVERAGE_PARAMETERS,
    response=UnitCoverage,
    response_description="The heatmap's rows.",
    errors=(400, 404),
)
def show_unit_coverage() -> Response:
    """HR's heatmap: per unit, the share of managers in post who built each pillar in twelve months."""
    user = signed_in()
    unit_id = parse_unit_coverage_query(request.args)
    platform = get_platform()
    pillars: list[Pillar] = [p for p in platform.pillars if not p.is_retired] if platform else []
    today = local_today()
    rows = unit_heatmap(heatmap_rows(unit_id), pillars, visible_managers_clause(user), today)
    return jsonify(UnitCoverage.of(unit_id, pillars, rows, window_start(today), today).dump())


@bp.operation(
    "GET",
    "/catalogue",
    summary="The activities HR offers",
    tags=ACTIVITIES,
    response=Items[CatalogueItemOut],
    response_description="The active catalogue items.",
)
def list_catalogue() -> Response:
    """The activities HR offers, with the pillars and expectations an activity made from one gets."""
    signed_in()
    items = [CatalogueItemOut.of(item) for item in offered_catalogue()]
    return jsonify(Items[CatalogueItemOut](items=items).dump())
