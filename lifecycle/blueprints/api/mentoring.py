"""JSON API v1, mentoring: role models (read by anyone signed in, changed by HR), a manager's mentor
suggestions (HR), and mentorships with their meetings (HR, the mentor and the mentee).

Registered on the same blueprint as `views`, under the same rules: objects load through
`lifecycle.policy`, bodies and responses are the models of `mentoring_schemas`, a service of
`services.mentoring` makes the change and flushes, and the view commits once.
"""

from __future__ import annotations

from flask import jsonify
from flask import request
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import Items
from lifecycle.blueprints.api.contract import Page
from lifecycle.blueprints.api.contract import json_body
from lifecycle.blueprints.api.contract import parse_body
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.errors import refusals_as_422
from lifecycle.blueprints.api.mentoring_schemas import MeetingCreate
from lifecycle.blueprints.api.mentoring_schemas import Mentorship as MentorshipOut
from lifecycle.blueprints.api.mentoring_schemas import MentorshipCreate
from lifecycle.blueprints.api.mentoring_schemas import MentorshipDetail
from lifecycle.blueprints.api.mentoring_schemas import MentorshipEnd
from lifecycle.blueprints.api.mentoring_schemas import MentorSuggestion
from lifecycle.blueprints.api.mentoring_schemas import RoleModel as RoleModelOut
from lifecycle.blueprints.api.mentoring_schemas import RoleModelCreate
from lifecycle.blueprints.api.mentoring_schemas import RoleModelUpdate
from lifecycle.blueprints.api.operations import WRITE_ERRORS
from lifecycle.blueprints.api.plan_schemas import read_parameters
from lifecycle.blueprints.api.schemas import DEFAULT_PAGE_SIZE
from lifecycle.blueprints.api.schemas import MAX_PAGE_SIZE
from lifecycle.blueprints.api.schemas import PAGE_PARAMETERS
from lifecycle.blueprints.api.schemas import query_int
from lifecycle.blueprints.api.views import bp
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import Mentorship
from lifecycle.models import User
from lifecycle.policy import get_manager_or_404
from lifecycle.policy import get_mentorship_or_404
from lifecycle.policy import get_role_model_or_404
from lifecycle.policy import get_taking_part_mentorship_or_404
from lifecycle.policy import may_manage_mentoring
from lifecycle.policy import signed_in
from lifecycle.policy import visible_mentorships_clause
from lifecycle.services import mentoring
from lifecycle.services.mentoring import MentoringError
from lifecycle.services.mentoring import log_meeting
from lifecycle.services.mentoring import mark_role_model
from lifecycle.services.mentoring import start_mentorship
from lifecycle.services.mentoring import suggest_mentors
from lifecycle.services.mentoring import unmark_role_model
from lifecycle.services.mentoring.queries import meetings_of
from lifecycle.services.mentoring.queries import mentorships_after
from lifecycle.services.mentoring.queries import role_models_after
from lifecycle.timeutil import local_today

MENTORING = ["mentoring"]
ROLE_MODEL_ID = f"<int(min=1, max={MAX_ID}):role_model_id>"
MENTORSHIP_ID = f"<int(min=1, max={MAX_ID}):mentorship_id>"
MANAGER_ID = f"<int(min=1, max={MAX_ID}):manager_id>"
READERS = "HR, the mentor and the mentee read a mentorship; anyone else gets 404."
#: the services' names for fields the API calls otherwise
API_FIELDS = {"mentor": "mentor_id", "mentee": "mentee_id", "manager": "manager_id", "reason": "reason"}


def _page() -> tuple[int, int]:
    values = read_parameters(
        {
            "limit": lambda: query_int(request.args, "limit", 1, MAX_PAGE_SIZE),
            "cursor": lambda: query_int(request.args, "cursor", 0, MAX_ID),
        }
    )
    return values["cursor"] or 0, values["limit"] or DEFAULT_PAGE_SIZE


def _manager(manager_id: int, field: str) -> Manager:
    manager = db.session.get(Manager, manager_id)
    if manager is None:
        message = _("No manager has this id.")
        raise ApiError(422, message, fields={field: [message]})
    return manager


def _role_model_out(user: User, role_model_id: int, status: int = 200) -> tuple[Response, int]:
    role_model = get_role_model_or_404(user, role_model_id)
    return jsonify(RoleModelOut.of(role_model, for_hr=True).dump()), status


def _mentorship_out(user: User, mentorship_id: int, status: int = 200) -> tuple[Response, int]:
    mentorship = get_mentorship_or_404(user, mentorship_id)
    detail = MentorshipDetail.detail(mentorship, local_today(), list(meetings_of(mentorship)))
    return jsonify(detail.dump()), status


@bp.operation(
    "GET",
    "/role-models",
    summary="List the role models",
    description="HR sees every role model, with the study's note; anyone else signed in the active ones, "
    "without it. Pages are ordered by id, follow `next_cursor` until it is null.",
    tags=MENTORING,
    query=PAGE_PARAMETERS,
    response=Page[RoleModelOut],
    response_description="A page of role models.",
    errors=(400,),
)
def list_role_models() -> Response:
    """A page of role models."""
    user = signed_in()
    after, limit = _page()
    # Those who manage mentoring (HR) see every role model, unmarked ones too, with the study's note.
    hr = may_manage_mentoring(user)
    rows = role_models_after(after or None, active_only=not hr, limit=limit)
    items = [RoleModelOut.of(r, for_hr=hr) for r in rows[:limit]]
    return jsonify(Page[RoleModelOut].of(items, rows[limit - 1].id if len(rows) > limit else None).dump())


@bp.operation(
    "POST",
    "/role-models",
    summary="Mark a manager as a role model (HR)",
    tags=MENTORING,
    body=RoleModelCreate,
    response=RoleModelOut,
    status=201,
    location=True,
    response_description="The role model.",
    errors=WRITE_ERRORS,
)
def create_role_model() -> tuple[Response, int, dict[str, str]]:
    """Mark a manager as a role model."""
    user = signed_in()
    values = parse_body(RoleModelCreate, json_body())
    manager = _manager(values["manager_id"], "manager_id")
    with refusals_as_422(MentoringError, rename=lambda field: API_FIELDS.get(field, field)):
        role_model = mark_role_model(
            manager,
            pillar_keys=values.get("pillars") or [],
            expectation_keys=values.get("expectations") or [],
            capacity=values.get("capacity", 1),
            study_note=values.get("study_note") or "",
            actor=user,
        )
    db.session.commit()
    response, status = _role_model_out(user, role_model.id, 201)
    return response, status, {"Location": url_for("api.update_role_model", role_model_id=role_model.id)}


@bp.operation(
    "PATCH",
    f"/role-models/{ROLE_MODEL_ID}",
    summary="Change or unmark a role model (HR)",
    tags=MENTORING,
    body=RoleModelUpdate,
    response=RoleModelOut,
    response_description="The role model as changed.",
    errors=WRITE_ERRORS,
)
def update_role_model(role_model_id: int) -> tuple[Response, int]:
    """Change a role model's strengths, capacity, note, or whether they are suggested."""
    user = signed_in()
    role_model = get_role_model_or_404(user, role_model_id)
    values = parse_body(RoleModelUpdate, json_body())
    # Left out: as it is now.
    pillar_keys = values["pillars"] if "pillars" in values else [p.key for p in role_model.pillars]
    expectation_keys = (
        values["expectations"] if "expectations" in values else [e.key for e in role_model.expectations]
    )
    capacity = values.get("capacity", role_model.capacity)
    study_note = values.get("study_note", role_model.study_note) or ""
    with refusals_as_422(MentoringError, rename=lambda field: API_FIELDS.get(field, field)):
        if values.get("is_active") is True and not role_model.is_active:
            mark_role_model(
                role_model.manager,
                pillar_keys=pillar_keys,
                expectation_keys=expectation_keys,
                capacity=capacity,
                study_note=study_note,
                actor=user,
            )
        else:
            mentoring.update_role_model(
                role_model,
                pillar_keys=pillar_keys,
                expectation_keys=expectation_keys,
                capacity=capacity,
                study_note=study_note,
            )
            if values.get("is_active") is False and role_model.is_active:
                unmark_role_model(role_model)
    db.session.commit()
    return _role_model_out(user, role_model.id)


@bp.operation(
    "GET",
    f"/managers/{MANAGER_ID}/mentor-suggestions",
    summary="The mentors suggested for a manager, best first, with the reasons (HR)",
    description="Active role models with a free place, outside the manager's own line of management, "
    "ranked by how much of the manager's weaknesses (expectations assessed 3 or lower in the latest "
    "review, pillars without activity in twelve months) their strengths cover.",
    tags=MENTORING,
    response=Items[MentorSuggestion],
    response_description="The suggestions.",
    errors=(404,),
)
def list_mentor_suggestions(manager_id: int) -> Response:
    """The mentor suggestions for one manager."""
    manager = get_manager_or_404(signed_in(), manager_id)
    suggestions = suggest_mentors(manager, local_today())
    return jsonify(Items[MentorSuggestion](items=[MentorSuggestion.of(s) for s in suggestions]).dump())


@bp.operation(
    "GET",
    "/mentorships",
    summary="List the mentorships the caller may read",
    description=f"{READERS} Pages are ordered by id, follow `next_cursor` until it is null.",
    tags=MENTORING,
    query=PAGE_PARAMETERS,
    response=Page[MentorshipOut],
    response_description="A page of mentorships.",
    errors=(400,),
)
def list_mentorships() -> Response:
    """A page of the mentorships the caller may read."""
    user = signed_in()
    after, limit = _page()
    rows = mentorships_after(visible_mentorships_clause(user), after, limit)
    today = local_today()
    items = [MentorshipOut.of(m, today) for m in rows[:limit]]
    return jsonify(Page[MentorshipOut].of(items, rows[limit - 1].id if len(rows) > limit else None).dump())


@bp.operation(
    "POST",
    "/mentorships",
    summary="Start a mentorship (HR)",
    description="Refused (422, at the field) for a mentor at capacity or in the mentee's own line of "
    "management, a mentee with another mentorship in the period, and bad dates, goals or cadence. A "
    "mentee with no mentor named on their record gets this one.",
    tags=MENTORING,
    body=MentorshipCreate,
    response=MentorshipDetail,
    status=201,
    location=True,
    response_description="The mentorship.",
    errors=WRITE_ERRORS,
)
def create_mentorship() -> tuple[Response, int, dict[str, str]]:
    """Start a mentorship."""
    user = signed_in()
    values = parse_body(MentorshipCreate, json_body())
    mentor = _manager(values["mentor_id"], "mentor_id")
    mentee = _manager(values["mentee_id"], "mentee_id")
    with refusals_as_422(MentoringError, rename=lambda field: API_FIELDS.get(field, field)):
        mentorship = start_mentorship(
            mentor=mentor,
            mentee=mentee,
            starts_on=values["starts_on"],
            ends_on=values["ends_on"],
            goals=values["goals"],
            cadence_weeks=values["cadence_weeks"],
            actor=user,
        )
    db.session.commit()
    response, status = _mentorship_out(user, mentorship.id, 201)
    return response, status, {"Location": url_for("api.get_mentorship", mentorship_id=mentorship.id)}


@bp.operation(
    "GET",
    f"/mentorships/{MENTORSHIP_ID}",
    summary="One mentorship, with its meetings",
    description=READERS,
    tags=MENTORING,
    response=MentorshipDetail,
    response_description="The mentorship.",
    errors=(404,),
)
def get_mentorship(mentorship_id: int) -> tuple[Response, int]:
    """One mentorship the caller may read."""
    return _mentorship_out(signed_in(), mentorship_id)


@bp.operation(
    "POST",
    f"/mentorships/{MENTORSHIP_ID}/meetings",
    summary="Log a meeting of a mentorship (HR, the mentor or the mentee)",
    description="The meeting becomes a completed mentoring activity of the mentee, tagged with what it "
    "built (at least one pillar, given or brought by an expectation).",
    tags=MENTORING,
    body=MeetingCreate,
    response=MentorshipDetail,
    status=201,
    response_description="The mentorship with the meeting.",
    errors=WRITE_ERRORS,
)
def create_mentorship_meeting(mentorship_id: int) -> tuple[Response, int]:
    """Log a meeting."""
    user = signed_in()
    mentorship = get_taking_part_mentorship_or_404(user, mentorship_id)
    values = parse_body(MeetingCreate, json_body())
    with refusals_as_422(MentoringError):
        log_meeting(
            mentorship,
            held_on=values["held_on"],
            title=values.get("title") or "",
            pillar_keys=values.get("pillars") or [],
            expectation_keys=values.get("expectations") or [],
            notes=values.get("notes") or "",
            actor=user,
        )
    db.session.commit()
    return _mentorship_out(user, mentorship.id, 201)


@bp.operation(
    "POST",
    f"/mentorships/{MENTORSHIP_ID}/end",
    summary="End a mentorship now (HR, the mentor or the mentee)",
    description="The mentor no longer reads the mentee's plan, and its reminders stop.",
    tags=MENTORING,
    body=MentorshipEnd,
    response=MentorshipDetail,
    response_description="The mentorship as ended.",
    errors=WRITE_ERRORS,
)
def end_mentorship(mentorship_id: int) -> tuple[Response, int]:
    """End a mentorship."""
    user = signed_in()
    mentorship: Mentorship = get_taking_part_mentorship_or_404(user, mentorship_id)
    values = parse_body(MentorshipEnd, json_body())
    with refusals_as_422(MentoringError):
        mentoring.end_mentorship(mentorship, reason=values.get("reason") or "", actor=user)
    db.session.commit()
    return _mentorship_out(user, mentorship.id)
