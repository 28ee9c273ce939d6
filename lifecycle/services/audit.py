"""The audit log: who changed or read whose data, and when; recorded automatically on every flush.

Changes are recorded by a Session `after_flush` hook for the models registered with `audit_changes()`:
one row per changed object and subject, naming the changed fields, never their values. Reads are
recorded by the views that show a person's plan, reviews or profile to someone else, through
`record_read()`. Who acted and through what is said by the caller: `acting_as()` around an import, a
command or a task, and the web layer (`lifecycle.web_audit`) for a page or API request; otherwise it is
the system. Nothing here reads the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from contextvars import Token
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import cast

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import lazyload
from sqlalchemy.orm import load_only
from sqlalchemy.orm.interfaces import MANYTOMANY
from sqlalchemy.orm.interfaces import MANYTOONE
from sqlalchemy.orm.util import identity_key

from lifecycle.append_only import in_erasure_window
from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import ApiToken
from lifecycle.models import AuditEvent
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import IntroductionLaunch
from lifecycle.models import Manager
from lifecycle.models import PlanComment
from lifecycle.models import PlanGoal
from lifecycle.models import ReviewAssessment
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models import UserRole
from lifecycle.models.activities import activity_participants

logger = logging.getLogger(__name__)

SOURCE_WEB = "web"
SOURCE_API = "api"
SOURCE_IMPORT = "import"
SOURCE_SYSTEM = "system"
#: an operator at the command line (flask gdpr ...)
SOURCE_CLI = "cli"

VIEW = "view"
CREATE = "create"
UPDATE = "update"
DELETE = "delete"
MOVE = "move"

#: events on one page of a person's audit trail
EVENTS_PER_PAGE = 50


# -- who is acting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditContext:
    """Who makes the changes of this unit of work, and through what."""

    actor_id: int | None
    source: str

    @classmethod
    def of(cls, user: User | None, source: str) -> AuditContext:
        """Return the context of `user` (None: nobody logged in, the system) acting through `source`."""
        # The id comes from the identity map key, so a user expired by an earlier commit is not reloaded.
        return cls(_ident(user) if user is not None else None, source)


_acting: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def begin_acting(context: AuditContext) -> Token[AuditContext | None]:
    """Record what follows as done in `context` until `end_acting(token)` (a request's lifetime)."""
    return _acting.set(context)


def end_acting(token: Token[AuditContext | None]) -> None:
    """Go back to whoever was acting before `begin_acting` returned `token`."""
    _acting.reset(token)


@contextmanager
def acting_as(user: User | None, source: str) -> Iterator[None]:
    """Record what the block changes as done by `user` (None: the system) through `source`."""
    token = begin_acting(AuditContext.of(user, source))
    try:
        yield
    finally:
        end_acting(token)


def current_context() -> AuditContext:
    """Return who is acting: the innermost `acting_as()` or request, else the system."""
    return _acting.get() or AuditContext(None, SOURCE_SYSTEM)


# -- which models are audited ----------------------------------------------------------------------

#: something a subject is found through: a manager, a user, a plan, a review or an activity, by id
Ref = tuple[type[Any], int | None]


@dataclass(frozen=True)
class Audited:
    """How changes to one model are recorded."""

    object_type: str
    #: what the object's subject is found through (a list: a group activity has several)
    subjects: Callable[[Any], list[Ref]]
    #: only these attributes count as changes (None: every column and many-to-many collection)
    fields: frozenset[str] | None = None
    #: attributes that never count as changes (bookkeeping)
    ignored: frozenset[str] = frozenset()
    #: names the log shows instead of an attribute's own (e.g. password_hash -> password)
    renamed: dict[str, str] = field(default_factory=dict)
    #: the action a new row stands for
    create_action: str = CREATE
    #: non-personal facts about a new row (e.g. a move's stages)
    detail: Callable[[Any], dict[str, Any]] | None = None
    #: rows that are part of another object: (its model, its id, the field of it they make up)
    part_of: Callable[[Any], tuple[type[Any], int, str]] | None = None


_AUDITED: dict[type[Any], Audited] = {}
#: session.info key: the audited rows created in the session's current transaction
_CREATED_KEY = "audit_created"


def audit_changes(
    model: type[Any],
    object_type: str,
    subjects: Callable[[Any], list[Ref]],
    *,
    fields: Iterable[str] | None = None,
    ignored: Iterable[str] = (),
    renamed: dict[str, str] | None = None,
    create_action: str = CREATE,
    detail: Callable[[Any], dict[str, Any]] | None = None,
    part_of: Callable[[Any], tuple[type[Any], int, str]] | None = None,
) -> None:
    """Record every creation, change and deletion of `model`'s rows in the audit log."""
    _AUDITED[model] = Audited(
        object_type=object_type,
        subjects=subjects,
        fields=frozenset(fields) if fields is not None else None,
        ignored=frozenset(ignored),
        renamed=dict(renamed or {}),
        create_action=create_action,
        detail=detail,
        part_of=part_of,
    )


def _loaded(obj: Any, key: str) -> Any:
    """Return an attribute only if it is loaded: the hook never makes the ORM load anything."""
    return inspect(obj).dict.get(key) if obj is not None else None


def _ident(obj: Any) -> int | None:
    """Return the row's id without loading anything (a new row has it once the flush wrote it)."""
    state = inspect(obj)
    ident: int | None = state.identity[0] if state.identity else state.dict.get("id")
    return ident


def _activity_subjects(activity: Activity) -> list[Ref]:
    participants = _loaded(activity, "participants")
    if participants is not None:
        return [(Manager, manager.id) for manager in participants]
    return [(Activity, _ident(activity))]


def _move_detail(transition: StageTransition) -> dict[str, Any]:
    # Stages are the journey's facts, not personal data; the reason (free text) is never copied.
    return {
        "from": transition.from_stage.value if transition.from_stage else None,
        "to": transition.to_stage.value,
    }


# One line per audited model; a new model with a person behind it (scorecards, obstacles) adds one.
audit_changes(Manager, "manager", lambda m: [(Manager, _ident(m))], ignored={"created_at", "updated_at"})
audit_changes(
    StageTransition, "stage", lambda t: [(Manager, t.manager_id)], create_action=MOVE, detail=_move_detail
)
audit_changes(DevelopmentPlan, "plan", lambda p: [(Manager, p.manager_id)])
audit_changes(PlanGoal, "goal", lambda g: [(DevelopmentPlan, g.plan_id)])
audit_changes(PlanComment, "comment", lambda c: [(DevelopmentPlan, c.plan_id)])
audit_changes(DevelopmentReview, "review", lambda r: [(DevelopmentPlan, r.plan_id)])
audit_changes(
    ReviewAssessment,
    "review",
    lambda a: [(DevelopmentReview, a.review_id)],
    part_of=lambda a: (DevelopmentReview, a.review_id, "assessments"),
)
audit_changes(Activity, "activity", _activity_subjects)
audit_changes(IntroductionLaunch, "introduction", lambda i: [(Manager, i.manager_id)])
audit_changes(
    User,
    "account",
    lambda u: [(User, _ident(u))],
    fields={"email", "name", "password_hash", "is_enabled"},
    renamed={"password_hash": "password"},
)
audit_changes(
    UserRole, "account", lambda r: [(User, r.user_id)], part_of=lambda r: (User, r.user_id, "roles")
)
audit_changes(ApiToken, "api_token", lambda t: [(User, t.user_id)], fields={"name", "revoked_at"})


# -- recording changes -----------------------------------------------------------------------------


@dataclass
class _Change:
    object_type: str
    object_id: int | None
    action: str
    refs: list[Ref]
    fields: set[str] = field(default_factory=set)
    detail: dict[str, Any] = field(default_factory=dict)


def _changed_fields(obj: Any, audited: Audited) -> set[str]:
    """Return the names of the attributes changed in this flush, FK names for many-to-one links."""
    state = inspect(obj)
    mapper = state.mapper
    changed: set[str] = set()
    for attribute in state.attrs:
        key = attribute.key
        if key in audited.ignored or (audited.fields is not None and key not in audited.fields):
            continue
        if key in mapper.relationships:
            relation = mapper.relationships[key]
            # One-to-many collections are recorded on their own rows; view-only ones never change.
            if relation.viewonly or relation.direction not in (MANYTOONE, MANYTOMANY):
                continue
            if not attribute.history.has_changes():
                continue
            if relation.direction is MANYTOONE:
                changed.update(column.key for column in relation.local_columns if column.key)
            else:
                changed.add(key)
        elif attribute.history.has_changes():
            changed.add(audited.renamed.get(key, key))
    return changed - audited.ignored


def _created_in_transaction(session: Session) -> set[tuple[type[Any], int | None]]:
    created: set[tuple[type[Any], int | None]] = session.info.setdefault(_CREATED_KEY, set())
    return created


@event.listens_for(Session, "after_transaction_end")
def _forget_created(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CREATED_KEY, None)


def _collect(session: Session) -> list[_Change]:
    """Return one change per audited object of the flush; parts (roles, assessments) join their whole.

    A row created earlier in the same transaction is recorded once, as created: a service that adds
    a row and then completes it (an import, an activity added as done) is one change, not two.
    """
    changes: dict[tuple[str, int | None], _Change] = {}
    created = _created_in_transaction(session)
    parts: list[tuple[Audited, Any, str]] = []
    moved: set[int] = set()
    for action, objects in ((CREATE, session.new), (UPDATE, session.dirty), (DELETE, session.deleted)):
        for obj in objects:
            audited = _AUDITED.get(type(obj))
            if audited is None:
                continue
            if audited.part_of is not None:
                parts.append((audited, obj, action))
                continue
            if action == UPDATE:
                if (type(obj), _ident(obj)) in created:
                    continue
                fields = _changed_fields(obj, audited)
                if not fields:
                    continue
                change = _Change(audited.object_type, _ident(obj), UPDATE, audited.subjects(obj), fields)
            elif action == CREATE:
                created.add((type(obj), _ident(obj)))
                detail = audited.detail(obj) if audited.detail else {}
                change = _Change(
                    audited.object_type, _ident(obj), audited.create_action, audited.subjects(obj)
                )
                change.detail = detail
                if isinstance(obj, StageTransition):
                    moved.add(obj.manager_id)
            else:
                change = _Change(audited.object_type, _ident(obj), DELETE, audited.subjects(obj))
            changes[(audited.object_type, change.object_id)] = change
    for audited, obj, action in parts:
        whole_model, whole_id, whole_field = audited.part_of(obj)  # type: ignore[misc]
        if (whole_model, whole_id) in created or (action == UPDATE and not _changed_fields(obj, audited)):
            continue
        whole = changes.get((audited.object_type, whole_id))
        if whole is None:
            whole = changes[(audited.object_type, whole_id)] = _Change(
                audited.object_type, whole_id, UPDATE, audited.subjects(obj)
            )
        if whole.action == UPDATE:
            whole.fields.add(whole_field)
    for change in changes.values():
        # A move is its own event; the stage columns it sets on the manager are not a second one.
        if change.object_type == "manager" and change.action == UPDATE and change.object_id in moved:
            change.fields -= {"stage", "stage_entered_on"}
    return [c for c in changes.values() if c.action != UPDATE or c.fields]


class _Subjects:
    """Find the person behind each ref: loaded objects first, then one query per kind of ref."""

    def __init__(self, session: Session) -> None:
        self.session = session
        flushed = [*session.new, *session.dirty, *session.deleted]
        # New rows reach the identity map only after the flush; look them up here meanwhile.
        self.in_flush = {(type(obj), _loaded(obj, "id")): obj for obj in flushed}
        self.gone_managers = {_ident(obj) for obj in session.deleted if isinstance(obj, Manager)}
        self.gone_users = {_ident(obj) for obj in session.deleted if isinstance(obj, User)}
        self.plan_of_review: dict[int, int] = {}
        self.manager_of_plan: dict[int, int] = {}
        self.manager_of_user: dict[int, int | None] = {}
        self.participants: dict[int, list[int]] = {}

    def _find(self, model: type[Any], ident: int) -> Any:
        found = self.in_flush.get((model, ident))
        if found is None:
            found = self.session.identity_map.get(identity_key(model, ident))
        return found

    def _load_reviews(self, review_ids: set[int]) -> None:
        missing = set()
        for review_id in review_ids:
            plan_id = _loaded(self._find(DevelopmentReview, review_id), "plan_id")
            if plan_id is None:
                missing.add(review_id)
            else:
                self.plan_of_review[review_id] = plan_id
        if missing:
            rows = self.session.execute(
                select(DevelopmentReview.id, DevelopmentPlan.id, DevelopmentPlan.manager_id)
                .join(DevelopmentPlan, DevelopmentPlan.id == DevelopmentReview.plan_id)
                .where(DevelopmentReview.id.in_(missing))
            )
            for review_id, plan_id, manager_id in rows:
                self.plan_of_review[review_id] = plan_id
                self.manager_of_plan[plan_id] = manager_id

    def _load_plans(self, plan_ids: set[int]) -> None:
        missing = set()
        for plan_id in plan_ids - self.manager_of_plan.keys():
            manager_id = _loaded(self._find(DevelopmentPlan, plan_id), "manager_id")
            if manager_id is None:
                missing.add(plan_id)
            else:
                self.manager_of_plan[plan_id] = manager_id
        if missing:
            rows = self.session.execute(
                select(DevelopmentPlan.id, DevelopmentPlan.manager_id).where(DevelopmentPlan.id.in_(missing))
            )
            self.manager_of_plan.update({plan_id: manager_id for plan_id, manager_id in rows})

    def _load_users(self, user_ids: set[int]) -> None:
        missing = set()
        for user_id in user_ids:
            user = self._find(User, user_id)
            if user is not None and "manager" in inspect(user).dict:
                self.manager_of_user[user_id] = user.manager.id if user.manager is not None else None
            else:
                missing.add(user_id)
                self.manager_of_user[user_id] = None
        if missing:
            rows = self.session.execute(
                select(Manager.user_id, Manager.id).where(Manager.user_id.in_(missing))
            )
            self.manager_of_user.update({user_id: manager_id for user_id, manager_id in rows if user_id})

    def _load_participants(self, activity_ids: set[int]) -> None:
        if activity_ids:
            column = activity_participants.c
            rows = self.session.execute(
                select(column.activity_id, column.manager_id).where(column.activity_id.in_(activity_ids))
            )
            for activity_id, manager_id in rows:
                self.participants.setdefault(activity_id, []).append(manager_id)

    def _subjects(self, model: type[Any], ident: int) -> list[tuple[int | None, int | None]]:
        if model is Manager:
            return [(ident, None)]
        if model is User:
            return [(self.manager_of_user.get(ident), ident)]
        if model is DevelopmentPlan:
            return [(self.manager_of_plan.get(ident), None)]
        if model is DevelopmentReview:
            plan_id = self.plan_of_review.get(ident)
            return [(self.manager_of_plan.get(plan_id) if plan_id is not None else None, None)]
        if model is Activity:
            return [(manager_id, None) for manager_id in self.participants.get(ident, [])]
        raise LookupError(f"no subject is found through {model.__name__}")

    def resolve(self, refs: set[Ref]) -> dict[Ref, list[tuple[int | None, int | None]]]:
        """Return (subject manager id, subject user id) pairs for each ref."""

        def ids(model: type[Any]) -> set[int]:
            return {ident for kind, ident in refs if kind is model and ident is not None}

        self._load_reviews(ids(DevelopmentReview))
        self._load_plans(ids(DevelopmentPlan) | set(self.plan_of_review.values()))
        self._load_users(ids(User))
        self._load_participants(ids(Activity))
        resolved: dict[Ref, list[tuple[int | None, int | None]]] = {}
        for model, ident in refs:
            pairs = self._subjects(model, ident) if ident is not None else []
            # A person deleted in this very flush can no longer be referred to.
            resolved[(model, ident)] = [
                (
                    manager_id if manager_id not in self.gone_managers else None,
                    user_id if user_id not in self.gone_users else None,
                )
                for manager_id, user_id in pairs
            ]
        return resolved


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, flush_context: Any) -> None:
    """Add an audit row for every audited object the flush created, changed or deleted."""
    if in_erasure_window(session):
        return  # the erasure records one "anonymise" event itself
    changes = _collect(session)
    if not changes:
        return
    refs = {ref for change in changes for ref in change.refs}
    subjects = _Subjects(session).resolve(refs)
    context = current_context()
    now = utcnow()
    rows = []
    for change in changes:
        detail = dict(change.detail)
        if change.fields:
            detail["fields"] = sorted(change.fields)
        seen = set()
        for ref in change.refs:
            for subject in subjects[ref]:
                if subject in seen:
                    continue
                seen.add(subject)
                rows.append(
                    {
                        "occurred_at": now,
                        "actor_id": context.actor_id,
                        "subject_manager_id": subject[0],
                        "subject_user_id": subject[1],
                        "action": change.action,
                        "object_type": change.object_type,
                        "object_id": change.object_id,
                        "source": context.source,
                        "detail": detail,
                    }
                )
    if rows:
        # Core, in the flush's own transaction: no ORM objects to track, one statement for them all.
        session.connection().execute(insert(cast(Table, AuditEvent.__table__)), rows)


# -- recording reads -------------------------------------------------------------------------------


def record_read(
    actor: User | None,
    subject: Manager,
    object_type: str,
    object_id: int | None = None,
    *,
    action: str = VIEW,
) -> AuditEvent | None:
    """Record that `actor` read (or exported) the subject's data; a person's own reads are not recorded.

    Flushes nothing: the caller commits, as with every change.
    """
    if actor is not None and subject.user_id == actor.id:
        return None
    context = current_context()
    event_row = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else context.actor_id,
        subject_manager_id=subject.id,
        subject_user_id=None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        source=context.source,
        detail={},
    )
    db.session.add(event_row)
    return event_row


# -- reading the log -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditTrail:
    """One page of a person's audit trail, newest first."""

    events: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def audit_trail(subject: Manager | User, page: int = 1, per_page: int = EVENTS_PER_PAGE) -> AuditTrail:
    """Return a page of what was done to or read of the subject's data, with the actors' names."""
    if isinstance(subject, Manager):
        about = AuditEvent.subject_manager_id == subject.id
    else:
        about = AuditEvent.subject_user_id == subject.id
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(about)) or 0
    page = min(max(page, 1), max(1, -(-total // per_page)))
    events = db.session.scalars(
        select(AuditEvent)
        .where(about)
        # Only the actor's name is shown: none of a user's roles or links are loaded for it.
        .options(joinedload(AuditEvent.actor).options(load_only(User.id, User.name), lazyload("*")))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return AuditTrail(list(events), total, page, per_page)


# -- labels for the page ---------------------------------------------------------------------------

ACTION_LABELS: dict[str, LazyString] = {
    VIEW: _l("Viewed"),
    CREATE: _l("Created"),
    UPDATE: _l("Changed"),
    DELETE: _l("Deleted"),
    MOVE: _l("Moved on the journey"),
    "export": _l("Exported"),
    "anonymise": _l("Anonymised"),
}

OBJECT_LABELS: dict[str, LazyString] = {
    "manager": _l("Profile"),
    "stage": _l("Stage"),
    "plan": _l("Development plan"),
    "goal": _l("Goal"),
    "comment": _l("Plan comment"),
    "review": _l("Development review"),
    "activity": _l("Activity"),
    "coverage": _l("Pillar coverage"),
    "introduction": _l("Introduction programme"),
    "account": _l("User account"),
    "api_token": _l("API token"),
    "person": _l("All of the person's data"),
}

SOURCE_LABELS: dict[str, LazyString] = {
    SOURCE_WEB: _l("Web"),
    SOURCE_API: _l("API"),
    SOURCE_IMPORT: _l("Import"),
    SOURCE_SYSTEM: _l("System"),
    SOURCE_CLI: _l("Command line"),
}

#: labels of changed fields beyond a manager's details (lifecycle.services.timeline.FIELD_LABELS)
AUDIT_FIELD_LABELS: dict[str, LazyString] = {
    "stage": _l("Stage"),
    "stage_entered_on": _l("Stage entered"),
    "user_id": _l("User account"),
    "anonymised_at": _l("Anonymised"),
    "starts_on": _l("Starts"),
    "ends_on": _l("Ends"),
    "notes": _l("Notes"),
    "description": _l("Description"),
    "target_on": _l("Target date"),
    "status": _l("Status"),
    "expectations": _l("Expectations"),
    "pillars": _l("Pillars"),
    "participants": _l("Participants"),
    "body": _l("Comment"),
    "scheduled_on": _l("Scheduled"),
    "completed_on": _l("Completed"),
    "cancelled_at": _l("Cancelled"),
    "next_steps": _l("Next steps"),
    "assessments": _l("Assessments"),
    "due_on": _l("Due"),
    "kind": _l("Kind"),
    "responsible_id": _l("Responsible"),
    "responsible_note": _l("Responsible"),
    "goal_id": _l("Goal"),
    "catalogue_item_id": _l("Catalogue item"),
    "template_id": _l("Template"),
    "password": _l("Password"),
    "is_enabled": _l("Enabled"),
    "roles": _l("Roles"),
    "revoked_at": _l("Revoked"),
}
