"""Recording changes: the flush hook that writes one audit row per changed object and subject.

The listeners are registered on `Session` when this module is imported, which the package does.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import cast

from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.orm.interfaces import MANYTOMANY
from sqlalchemy.orm.interfaces import MANYTOONE
from sqlalchemy.orm.util import identity_key

from lifecycle.append_only import in_erasure_window
from lifecycle.db import utcnow
from lifecycle.models import Activity
from lifecycle.models import AuditEvent
from lifecycle.models import Candidacy
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Interview
from lifecycle.models import Manager
from lifecycle.models import Scorecard
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models import Vacancy
from lifecycle.models.activities import activity_participants
from lifecycle.services.audit.acting import current_context
from lifecycle.services.audit.audited import AUDITED
from lifecycle.services.audit.audited import Audited
from lifecycle.services.audit.audited import Ref
from lifecycle.services.audit.audited import loaded
from lifecycle.services.audit.audited import row_id
from lifecycle.services.audit.vocabulary import CREATE
from lifecycle.services.audit.vocabulary import DELETE
from lifecycle.services.audit.vocabulary import UPDATE

#: session.info key: the audited rows created in the session's current transaction
_CREATED_KEY = "audit_created"


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
            audited = AUDITED.get(type(obj))
            if audited is None:
                continue
            if audited.part_of is not None:
                parts.append((audited, obj, action))
                continue
            if action == UPDATE:
                if (type(obj), row_id(obj)) in created:
                    continue
                fields = _changed_fields(obj, audited)
                if not fields:
                    continue
                change = _Change(audited.object_type, row_id(obj), UPDATE, audited.subjects(obj), fields)
            elif action == CREATE:
                created.add((type(obj), row_id(obj)))
                detail = audited.detail(obj) if audited.detail else {}
                change = _Change(
                    audited.object_type, row_id(obj), audited.create_action, audited.subjects(obj)
                )
                change.detail = detail
                if isinstance(obj, StageTransition):
                    moved.add(obj.manager_id)
            else:
                change = _Change(audited.object_type, row_id(obj), DELETE, audited.subjects(obj))
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
        self.in_flush = {(type(obj), loaded(obj, "id")): obj for obj in flushed}
        self.gone_managers = {row_id(obj) for obj in session.deleted if isinstance(obj, Manager)}
        self.gone_users = {row_id(obj) for obj in session.deleted if isinstance(obj, User)}
        self.plan_of_review: dict[int, int] = {}
        self.manager_of_plan: dict[int, int] = {}
        self.manager_of_user: dict[int, int | None] = {}
        self.participants: dict[int, list[int]] = {}
        self.manager_of_candidacy: dict[int, int] = {}
        #: an interview's or a scorecard's candidacy, by (model, id)
        self.candidacy_of: dict[tuple[type[Any], int], int] = {}

    def _find(self, model: type[Any], ident: int) -> Any:
        found = self.in_flush.get((model, ident))
        if found is None:
            found = self.session.identity_map.get(identity_key(model, ident))
        return found

    def _load_reviews(self, review_ids: set[int]) -> None:
        missing = set()
        for review_id in review_ids:
            plan_id = loaded(self._find(DevelopmentReview, review_id), "plan_id")
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
            manager_id = loaded(self._find(DevelopmentPlan, plan_id), "manager_id")
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

    def _load_candidacies(self, refs: set[Ref]) -> None:
        """The candidate behind a candidacy, an interview or a scorecard: one query per kind at most."""
        for model in (Interview, Scorecard):
            missing = set()
            for kind, ident in refs:
                if kind is model and ident is not None:
                    candidacy_id = loaded(self._find(model, ident), "candidacy_id")
                    if candidacy_id is None:
                        missing.add(ident)
                    else:
                        self.candidacy_of[(model, ident)] = candidacy_id
            if missing:
                rows = self.session.execute(select(model.id, model.candidacy_id).where(model.id.in_(missing)))
                self.candidacy_of.update({(model, ident): candidacy_id for ident, candidacy_id in rows})
        wanted = {ident for kind, ident in refs if kind is Candidacy and ident is not None}
        wanted |= set(self.candidacy_of.values())
        missing = set()
        for candidacy_id in wanted:
            manager_id = loaded(self._find(Candidacy, candidacy_id), "manager_id")
            if manager_id is None:
                missing.add(candidacy_id)
            else:
                self.manager_of_candidacy[candidacy_id] = manager_id
        if missing:
            rows = self.session.execute(
                select(Candidacy.id, Candidacy.manager_id).where(Candidacy.id.in_(missing))
            )
            self.manager_of_candidacy.update({candidacy_id: manager_id for candidacy_id, manager_id in rows})

    def _subjects(self, model: type[Any], ident: int) -> list[tuple[int | None, int | None]]:
        if model in (Interview, Scorecard):
            model, ident = Candidacy, self.candidacy_of.get((model, ident), 0)
        if model is Candidacy:
            return [(self.manager_of_candidacy.get(ident), None)]
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
        if model is Vacancy:
            return [(None, None)]
        raise LookupError(f"no subject is found through {model.__name__}")

    def resolve(self, refs: set[Ref]) -> dict[Ref, list[tuple[int | None, int | None]]]:
        """Return (subject manager id, subject user id) pairs for each ref."""

        def ids(model: type[Any]) -> set[int]:
            return {ident for kind, ident in refs if kind is model and ident is not None}

        self._load_reviews(ids(DevelopmentReview))
        self._load_plans(ids(DevelopmentPlan) | set(self.plan_of_review.values()))
        self._load_users(ids(User))
        self._load_participants(ids(Activity))
        self._load_candidacies(refs)
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
        # A model with no person behind it (HR's bank entries, an ad) is one row without a subject.
        found = (
            [subject for ref in change.refs for subject in subjects[ref]] if change.refs else [(None, None)]
        )
        seen = set()
        for subject in found:
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
