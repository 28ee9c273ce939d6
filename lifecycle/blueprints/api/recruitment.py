"""JSON API v1, recruitment: vacancies, the expectations they weigh, their groups, and their candidates.

Registered on the same blueprint as `views`, under the same rules: a vacancy loads through
`lifecycle.policy` (HR, its hiring manager and its recruitment group see it; anyone else gets 404, and
only HR changes it), bodies and responses are the models of `recruitment_schemas`, a service of
`services.recruitment` makes the change and flushes, and the view commits once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from typing import NoReturn

from flask import jsonify
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import Page
from lifecycle.blueprints.api.contract import json_body
from lifecycle.blueprints.api.contract import parse_body
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.errors import refusals_as_422
from lifecycle.blueprints.api.operations import WRITE_ERRORS
from lifecycle.blueprints.api.recruitment_schemas import CANDIDACY_QUERY_PARAMETERS
from lifecycle.blueprints.api.recruitment_schemas import VACANCY_QUERY_PARAMETERS
from lifecycle.blueprints.api.recruitment_schemas import Candidacy as CandidacyOut
from lifecycle.blueprints.api.recruitment_schemas import CandidacyCreate
from lifecycle.blueprints.api.recruitment_schemas import GroupSet
from lifecycle.blueprints.api.recruitment_schemas import NotSelect
from lifecycle.blueprints.api.recruitment_schemas import StatusMove
from lifecycle.blueprints.api.recruitment_schemas import StepMove
from lifecycle.blueprints.api.recruitment_schemas import Vacancy as VacancyOut
from lifecycle.blueprints.api.recruitment_schemas import VacancyCreate
from lifecycle.blueprints.api.recruitment_schemas import VacancyDetail
from lifecycle.blueprints.api.recruitment_schemas import VacancyUpdate
from lifecycle.blueprints.api.recruitment_schemas import WeightsSet
from lifecycle.blueprints.api.recruitment_schemas import parse_candidacy_query
from lifecycle.blueprints.api.recruitment_schemas import parse_vacancy_query
from lifecycle.blueprints.api.views import bp
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import User
from lifecycle.models import Vacancy
from lifecycle.models.recruitment import Candidacy
from lifecycle.policy import get_managed_vacancy_or_404
from lifecycle.policy import get_vacancy_or_404
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.policy import visible_vacancies_clause
from lifecycle.services import recruitment as vacancies
from lifecycle.services.journey import StageMoveError
from lifecycle.services.plan_queries import expectations_by_key
from lifecycle.services.recruitment import VacancyError
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import add_external_candidate
from lifecycle.services.recruitment import candidacy_of
from lifecycle.services.recruitment import move_candidate
from lifecycle.services.recruitment import not_select
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment import status_moves
from lifecycle.services.recruitment.queries import candidacies_page
from lifecycle.services.recruitment.queries import candidate_counts
from lifecycle.services.recruitment.queries import vacancies_after
from lifecycle.services.recruitment.vacancies import heaviest_first
from lifecycle.timeutil import local_today

VACANCY_ID = f"<int(min=1, max={MAX_ID}):vacancy_id>"
CANDIDACY_ID = f"<int(min=1, max={MAX_ID}):candidacy_id>"
RECRUITMENT = ["recruitment"]
SEERS = "For HR, the vacancy's hiring manager and its recruitment group."
#: the services' names for fields the API calls otherwise
API_FIELD_NAMES = {
    "person": "manager_id",
    "expectations": "weights",
    "interviewers": "interviewer_ids",
    "employee_number": "manager_id",
}
#: what a vacancy keeps when a change leaves a field out
VACANCY_FIELDS = ("title", "published_on", "closes_on", "planned_start_on", "unit_text", "role_text")


@contextmanager
def _refusals_as_422() -> Iterator[None]:
    """Answer 422 with a field error when a service refuses the change (the handler rolls back)."""
    with refusals_as_422(VacancyError, rename=lambda field: API_FIELD_NAMES.get(field, field)):
        try:
            yield
        except StageMoveError as refused:  # a person whose journey cannot move to recruit
            raise ApiError(422, str(refused), fields={"manager_id": [str(refused)]}) from refused


def _refuse(status: int, field: str, message: str) -> NoReturn:
    raise ApiError(status, message, fields={field: [message]})


def _vacancy_response(user: User, vacancy_id: int, status: int = 200) -> tuple[Response, int]:
    """The vacancy as its page shows it, loaded again through the policy (after a change, committed)."""
    vacancy = get_vacancy_or_404(user, vacancy_id)
    in_process, total = candidate_counts([vacancy.id]).get(vacancy.id, (0, 0))
    return jsonify(VacancyDetail.detail(vacancy, in_process, total, status_moves(vacancy)).dump()), status


# -- vacancies ---------------------------------------------------------------------------------------


@bp.operation(
    "GET",
    "/vacancies",
    summary="List the vacancies the caller may see",
    description=f"{SEERS} Filtered as HR's list (unit, status, HR partner); pages are ordered by id, "
    "follow `next_cursor` until it is null.",
    tags=RECRUITMENT,
    query=VACANCY_QUERY_PARAMETERS,
    response=Page[VacancyOut],
    response_description="A page of vacancies.",
    errors=(400,),
)
def list_vacancies() -> Response:
    """A page of the vacancies the caller may see, filtered, ordered by id."""
    user = signed_in()
    query = parse_vacancy_query(request.args)
    rows, more = vacancies_after(
        query.filters, visible_vacancies_clause(user), query.page.after_id, query.page.limit
    )
    items = [VacancyOut.of(row.vacancy, row.in_process, row.total) for row in rows]
    return jsonify(Page[VacancyOut].of(items, rows[-1].vacancy.id if more else None).dump())


@bp.operation(
    "GET",
    f"/vacancies/{VACANCY_ID}",
    summary="One vacancy, with the expectations it weighs and its recruitment group",
    description=SEERS,
    tags=RECRUITMENT,
    response=VacancyDetail,
    response_description="The vacancy.",
    errors=(404,),
)
def get_vacancy(vacancy_id: int) -> tuple[Response, int]:
    """One vacancy the caller may see."""
    return _vacancy_response(signed_in(), vacancy_id)


def _user_reference(values: dict[str, Any], field: str, *, hr: bool) -> User | None:
    """Load the user a field names; refuse one that does not exist, is disabled, or (`hr`) is not HR."""
    user_id = values.get(field)
    if user_id is None:
        return None
    found = db.session.get(User, user_id)
    if found is None or not found.is_enabled or (hr and not found.has_role(Role.HR)):
        _refuse(
            422,
            field,
            _("No active HR user account has this id.") if hr else _("No active user account has this id."),
        )
    return found


def _vacancy_values(values: dict[str, Any], current: Vacancy | None, user: User) -> VacancyValues:
    """The vacancy's values after the change: those sent, the current ones for fields left out."""
    if current is not None and "org_unit_id" not in values:
        org_unit = current.org_unit
    else:  # a new vacancy's body requires the unit
        found = db.session.get(OrgUnit, values["org_unit_id"])
        if found is None:
            _refuse(422, "org_unit_id", _("The unit does not exist."))
        org_unit = found
    people: dict[str, User | None] = {}
    for field, relation, hr in (
        ("hiring_manager_id", "hiring_manager", False),
        ("hr_partner_id", "hr_partner", True),
    ):
        if field in values:
            people[relation] = _user_reference(values, field, hr=hr)
        elif current is not None:
            people[relation] = getattr(current, relation)
        else:
            people[relation] = user if relation == "hr_partner" and user.has_role(Role.HR) else None
    kept = {name: getattr(current, name) if current is not None else None for name in VACANCY_FIELDS}
    chosen = {name: values[name] if name in values else kept[name] for name in VACANCY_FIELDS}
    return VacancyValues(
        title=chosen["title"] or "",
        org_unit=org_unit,
        hiring_manager=people["hiring_manager"],
        hr_partner=people["hr_partner"],
        published_on=chosen["published_on"],
        closes_on=chosen["closes_on"],
        planned_start_on=chosen["planned_start_on"],
        unit_text=chosen["unit_text"] or "",
        role_text=chosen["role_text"] or "",
    )


@bp.operation(
    "POST",
    "/vacancies",
    summary="Open a vacancy as a draft (HR)",
    tags=RECRUITMENT,
    body=VacancyCreate,
    response=VacancyDetail,
    status=201,
    location=True,
    response_description="The new vacancy.",
    errors=WRITE_ERRORS,
)
def create_vacancy() -> tuple[Response, int, dict[str, str]]:
    """Open a draft vacancy in a unit (HR); it weighs expectations and opens with the calls below."""
    user = signed_in()
    values = _vacancy_values(parse_body(VacancyCreate, json_body()), None, user)
    with _refusals_as_422():
        vacancy = vacancies.create_vacancy(values, actor=user)
    db.session.commit()
    response, status = _vacancy_response(user, vacancy.id, 201)
    return response, status, {"Location": url_for("api.get_vacancy", vacancy_id=vacancy.id)}


@bp.operation(
    "PATCH",
    f"/vacancies/{VACANCY_ID}",
    summary="Change a vacancy's details (HR)",
    description="A vacancy whose recruitment is over (closed, cancelled) no longer changes.",
    tags=RECRUITMENT,
    body=VacancyUpdate,
    response=VacancyDetail,
    response_description="The vacancy as changed.",
    errors=WRITE_ERRORS,
)
def update_vacancy(vacancy_id: int) -> tuple[Response, int]:
    """Change some of a vacancy's details (HR)."""
    user = signed_in()
    vacancy = get_managed_vacancy_or_404(user, vacancy_id)
    values = _vacancy_values(parse_body(VacancyUpdate, json_body()), vacancy, user)
    with _refusals_as_422():
        vacancies.update_vacancy(vacancy, values)
    db.session.commit()
    return _vacancy_response(user, vacancy_id)


@bp.operation(
    "PUT",
    f"/vacancies/{VACANCY_ID}/weights",
    summary="Choose the expectations the vacancy weighs (HR)",
    tags=RECRUITMENT,
    body=WeightsSet,
    response=VacancyDetail,
    response_description="The vacancy with its weights.",
    errors=WRITE_ERRORS,
)
def set_vacancy_weights(vacancy_id: int) -> tuple[Response, int]:
    """Weigh these expectations, 1–3 each, heaviest first (HR); the others are no longer weighed."""
    user = signed_in()
    vacancy = get_managed_vacancy_or_404(user, vacancy_id)
    chosen = parse_body(WeightsSet, json_body())["weights"]
    found, unknown = expectations_by_key(weight["expectation"] for weight in chosen)
    if unknown:
        _refuse(422, "weights", _("Unknown expectation: %(keys)s.", keys=", ".join(sorted(unknown))))
    by_key = {expectation.key: expectation for expectation in found}
    with _refusals_as_422():
        set_weights(vacancy, heaviest_first({by_key[w["expectation"]]: w["weight"] for w in chosen}))
    db.session.commit()
    return _vacancy_response(user, vacancy_id)


@bp.operation(
    "PUT",
    f"/vacancies/{VACANCY_ID}/group",
    summary="Choose the vacancy's recruitment group (HR)",
    tags=RECRUITMENT,
    body=GroupSet,
    response=VacancyDetail,
    response_description="The vacancy with its group.",
    errors=WRITE_ERRORS,
)
def set_vacancy_group(vacancy_id: int) -> tuple[Response, int]:
    """The user accounts that interview the candidates (HR); they see the vacancy and its candidates."""
    user = signed_in()
    vacancy = get_managed_vacancy_or_404(user, vacancy_id)
    ids = parse_body(GroupSet, json_body())["interviewer_ids"]
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids), User.is_enabled))}
    missing = [str(user_id) for user_id in ids if user_id not in people]
    if missing:
        _refuse(
            422,
            "interviewer_ids",
            _("No active user account has these ids: %(ids)s.", ids=", ".join(missing)),
        )
    with _refusals_as_422():
        set_recruitment_group(vacancy, [people[user_id] for user_id in ids])
    db.session.commit()
    return _vacancy_response(user, vacancy_id)


@bp.operation(
    "POST",
    f"/vacancies/{VACANCY_ID}/status",
    summary="Move the vacancy on: open it, start interviewing, cancel or close it (HR)",
    description="`status_moves` of the vacancy says which moves are possible now.",
    tags=RECRUITMENT,
    body=StatusMove,
    response=VacancyDetail,
    response_description="The vacancy in its new status.",
    errors=WRITE_ERRORS,
)
def move_vacancy_status(vacancy_id: int) -> tuple[Response, int]:
    """Move the vacancy to another status (HR); opening it sets the publishing date."""
    user = signed_in()
    vacancy = get_managed_vacancy_or_404(user, vacancy_id)
    status = parse_body(StatusMove, json_body())["status"]
    with _refusals_as_422():
        set_status(vacancy, status, local_today())
    db.session.commit()
    return _vacancy_response(user, vacancy_id)


# -- candidacies -------------------------------------------------------------------------------------


@bp.operation(
    "GET",
    f"/vacancies/{VACANCY_ID}/candidacies",
    summary="The vacancy's candidates, a page at a time",
    description=f"{SEERS} Ordered by id; follow `next_cursor` until it is null.",
    tags=RECRUITMENT,
    query=CANDIDACY_QUERY_PARAMETERS,
    response=Page[CandidacyOut],
    response_description="A page of candidates.",
    errors=(400, 404),
)
def list_candidacies(vacancy_id: int) -> Response:
    """A page of the vacancy's candidates, optionally at some steps, ordered by id."""
    vacancy = get_vacancy_or_404(signed_in(), vacancy_id)
    query = parse_candidacy_query(request.args)
    page, more = candidacies_page(vacancy, query.steps, query.page.after_id, query.page.limit)
    items = [CandidacyOut.of(candidacy) for candidacy in page]
    return jsonify(Page[CandidacyOut].of(items, page[-1].id if more else None).dump())


def _candidacy_or_404(vacancy: Vacancy, candidacy_id: int) -> Candidacy:
    candidacy = candidacy_of(vacancy, candidacy_id)
    if candidacy is None:
        raise ApiError(404, _("No such candidate for this vacancy."))
    return candidacy


@bp.operation(
    "POST",
    f"/vacancies/{VACANCY_ID}/candidacies",
    summary="Add a candidate: a person on the journey, or a new applicant (HR)",
    tags=RECRUITMENT,
    body=CandidacyCreate,
    response=CandidacyOut,
    status=201,
    response_description="The candidacy.",
    errors=WRITE_ERRORS,
)
def create_candidacy(vacancy_id: int) -> tuple[Response, int]:
    """Link a person on the journey to the vacancy, or enter a new applicant at recruit (HR)."""
    user = signed_in()
    vacancy = get_managed_vacancy_or_404(user, vacancy_id)
    values = parse_body(CandidacyCreate, json_body())
    applied_on = values.get("applied_on") or local_today()
    manager_id, name = values.get("manager_id"), values.get("name")
    if manager_id is not None and (name or values.get("email")):
        _refuse(400, "name", _("Give either manager_id or the name of a new applicant, not both."))
    with _refusals_as_422():
        if manager_id is not None:
            person = db.session.scalar(
                select(Manager).where(Manager.id == manager_id, visible_managers_clause(user))
            )
            if person is None:
                _refuse(422, "manager_id", _("No one on the journey has this id."))
            candidacy = add_candidate(vacancy, person, user, applied_on)
        elif name:
            candidacy = add_external_candidate(
                vacancy, name=name, email=values.get("email"), actor=user, applied_on=applied_on
            )
        else:
            _refuse(400, "manager_id", _("Give manager_id, or the name of a new applicant."))
    db.session.commit()
    return jsonify(CandidacyOut.of(candidacy).dump()), 201


@bp.operation(
    "POST",
    f"/vacancies/{VACANCY_ID}/candidacies/{CANDIDACY_ID}/step",
    summary="Move a candidate to another step before the decision (HR)",
    tags=RECRUITMENT,
    body=StepMove,
    response=CandidacyOut,
    response_description="The candidacy at its new step.",
    errors=WRITE_ERRORS,
)
def move_candidacy_step(vacancy_id: int, candidacy_id: int) -> tuple[Response, int]:
    """Move a candidate forwards, or back when HR corrects it (HR)."""
    vacancy = get_managed_vacancy_or_404(signed_in(), vacancy_id)
    candidacy = _candidacy_or_404(vacancy, candidacy_id)
    step = parse_body(StepMove, json_body())["step"]
    with _refusals_as_422():
        move_candidate(candidacy, step)
    db.session.commit()
    return jsonify(CandidacyOut.of(candidacy).dump()), 200


@bp.operation(
    "POST",
    f"/vacancies/{VACANCY_ID}/candidacies/{CANDIDACY_ID}/not-selected",
    summary="Record that a candidate is not selected, and why (HR)",
    description="A candidate who came to the journey for this recruitment, and applies for nothing "
    "else, has their journey closed with the reason.",
    tags=RECRUITMENT,
    body=NotSelect,
    response=CandidacyOut,
    response_description="The candidacy, not selected.",
    errors=WRITE_ERRORS,
)
def not_select_candidacy(vacancy_id: int, candidacy_id: int) -> tuple[Response, int]:
    """Record that the candidate is not selected, with the reason's code (HR)."""
    user = signed_in()
    vacancy = get_managed_vacancy_or_404(user, vacancy_id)
    candidacy = _candidacy_or_404(vacancy, candidacy_id)
    reason = parse_body(NotSelect, json_body())["reason"]
    with _refusals_as_422():
        not_select(candidacy, reason, user, local_today())
    db.session.commit()
    return jsonify(CandidacyOut.of(candidacy).dump()), 200
