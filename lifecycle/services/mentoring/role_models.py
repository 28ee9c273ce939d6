"""HR marks managers as role models (förebilder): their strengths, the study's note, their capacity."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.models.mentoring import MAX_CAPACITY
from lifecycle.models.mentoring import TEXT_MAX_LENGTH
from lifecycle.models.mentoring import RoleModel
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import resolve_tags
from lifecycle.services.mentoring.errors import MentoringError

logger = logging.getLogger(__name__)


def checked_text(field: str, value: str | None, limit: int = TEXT_MAX_LENGTH) -> str:
    """Return the stripped text, or refuse it when it is longer than `limit`."""
    text = (value or "").strip()
    if len(text) > limit:
        raise MentoringError(field, _l("Write at most %(limit)d characters.", limit=limit))
    return text


def checked_capacity(capacity: int) -> int:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise MentoringError(
            "capacity", _l("A role model takes from 1 to %(limit)d mentees at once.", limit=MAX_CAPACITY)
        )
    return capacity


def _strengths(role_model: RoleModel, pillar_keys: Iterable[str], expectation_keys: Iterable[str]) -> None:
    pillar_keys, expectation_keys = list(pillar_keys), list(expectation_keys)
    if not pillar_keys and not expectation_keys:
        raise MentoringError("pillars", _l("Choose at least one pillar or expectation they are strong in."))
    try:
        pillars, expectations = resolve_tags(pillar_keys, expectation_keys)
    except ActivityError as refused:
        raise MentoringError(refused.field, refused.args[0]) from refused
    role_model.pillars = pillars
    role_model.expectations = expectations


def mark_role_model(
    manager: Manager,
    *,
    pillar_keys: Iterable[str],
    expectation_keys: Iterable[str],
    capacity: int,
    study_note: str = "",
    actor: User | None,
) -> RoleModel:
    """Mark a manager in post as a role model (again, if HR unmarked them once); the service flushes."""
    if manager.anonymised_at is not None or manager.stage not in (Stage.INTRODUCE, Stage.DEVELOP):
        raise MentoringError("manager", _l("Only a manager in post can be a role model."))
    role_model = db.session.scalar(select(RoleModel).where(RoleModel.manager_id == manager.id))
    if role_model is not None and role_model.is_active:
        raise MentoringError("manager", _l("%(name)s is already a role model.", name=manager.name))
    if role_model is None:
        role_model = RoleModel(manager=manager, marked_by_id=actor.id if actor else None)
        db.session.add(role_model)
    role_model.is_active = True
    role_model.capacity = checked_capacity(capacity)
    role_model.study_note = checked_text("study_note", study_note)
    _strengths(role_model, pillar_keys, expectation_keys)
    db.session.flush()
    logger.info("manager %s marked as a role model", manager.id)
    return role_model


def update_role_model(
    role_model: RoleModel,
    *,
    pillar_keys: Iterable[str],
    expectation_keys: Iterable[str],
    capacity: int,
    study_note: str,
) -> RoleModel:
    """Change a role model's strengths, capacity and note.

    A lower capacity than their mentorships in progress is allowed: they are simply not suggested
    until one ends.
    """
    role_model.capacity = checked_capacity(capacity)
    role_model.study_note = checked_text("study_note", study_note)
    _strengths(role_model, pillar_keys, expectation_keys)
    db.session.flush()
    return role_model


def unmark_role_model(role_model: RoleModel) -> None:
    """No longer suggest the manager as a mentor; their mentorships in progress run on."""
    role_model.is_active = False
    db.session.flush()
    logger.info("role model %s unmarked", role_model.id)
