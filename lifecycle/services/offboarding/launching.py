"""Launching the offboarding checklist for a manager who enters the offboard stage."""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lifecycle.enums import Stage
from lifecycle.enums import TemplatePurpose
from lifecycle.extensions import db
from lifecycle.models import IntroductionTemplate
from lifecycle.models import Manager
from lifecycle.models import OffboardingChecklist
from lifecycle.models import User
from lifecycle.services.introductions.launching import add_milestone_activity
from lifecycle.services.offboarding.dates import last_working_day
from lifecycle.services.offboarding.dates import task_due_date
from lifecycle.services.offboarding.defaults import ensure_default_checklist
from lifecycle.services.offboarding.errors import OffboardingError
from lifecycle.services.offboarding.reasons import ensure_exit_reasons

logger = logging.getLogger(__name__)


def checklist_of(manager_id: int) -> OffboardingChecklist | None:
    """Return the manager's checklist with its tasks and interview, if one was launched."""
    return db.session.scalar(
        select(OffboardingChecklist)
        .where(OffboardingChecklist.manager_id == manager_id)
        .options(selectinload(OffboardingChecklist.tasks), selectinload(OffboardingChecklist.interview))
    )


def launch_checklist(
    manager: Manager, template: IntroductionTemplate, actor: User | None
) -> OffboardingChecklist:
    """Launch a checklist for a manager in the offboard stage: one dated task per template task."""
    if manager.stage is not Stage.OFFBOARD:
        raise OffboardingError("template", _l("Only a manager in offboarding gets an offboarding checklist."))
    if template.purpose is not TemplatePurpose.OFFBOARDING or not template.is_active:
        raise OffboardingError("template", _l("This is not an offboarding checklist that is offered."))
    if manager.end_date is None:
        raise OffboardingError("end_date", _l("Moving to offboarding needs an end date."))
    if checklist_of(manager.id) is not None:
        raise OffboardingError("template", _l("This manager's offboarding checklist is already launched."))
    last_day = last_working_day(manager.end_date)
    checklist = OffboardingChecklist(
        manager=manager, template=template, last_day=last_day, launched_by_id=actor.id if actor else None
    )
    db.session.add(checklist)
    db.session.flush()
    for task in template.milestones:
        due = task_due_date(last_day, task.offset_amount, task.offset_unit)
        activity = add_milestone_activity(manager, task, actor, Stage.OFFBOARD, due)
        if activity is not None:
            activity.offboarding_id = checklist.id
    db.session.flush()
    logger.info("offboarding %s (template %s) launched for manager %s", checklist.id, template.id, manager.id)
    return checklist


def launch_on_entering_offboard(manager: Manager, actor: User | None) -> OffboardingChecklist | None:
    """Launch the default checklist (created if HR has none) for someone who has just entered offboard."""
    ensure_exit_reasons()
    template = ensure_default_checklist()
    if template is None or not template.milestones:
        return None
    return launch_checklist(manager, template, actor)
