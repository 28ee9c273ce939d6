"""The manager's journey: entering it and moving between stages, each move written to history."""

from __future__ import annotations

import logging
from datetime import date

from flask_babel import lazy_gettext as _l

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.models import OrgUnit
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.services.accounts import set_enabled

logger = logging.getLogger(__name__)

#: where a person may enter the journey
ENTRY_STAGES: tuple[Stage, ...] = (Stage.ATTRACT, Stage.RECRUIT, Stage.INTRODUCE, Stage.DEVELOP)

#: every move the journey allows: the forward steps, a new assignment (develop → introduce),
#: and closing a candidacy or a completed offboarding
ALLOWED_MOVES: dict[Stage, tuple[Stage, ...]] = {
    Stage.ATTRACT: (Stage.RECRUIT, Stage.CLOSED),
    Stage.RECRUIT: (Stage.INTRODUCE, Stage.CLOSED),
    Stage.INTRODUCE: (Stage.DEVELOP,),
    Stage.DEVELOP: (Stage.OFFBOARD, Stage.INTRODUCE),
    Stage.OFFBOARD: (Stage.CLOSED,),
    Stage.CLOSED: (),
}


class StageMoveError(ValueError):
    """A move the journey does not allow; the message is meant for the user."""


def allowed_moves(stage: Stage) -> tuple[Stage, ...]:
    return ALLOWED_MOVES[stage]


def _stage_list(stages: tuple[Stage, ...]) -> str:
    return ", ".join(str(stage.title) for stage in stages)


def enter_journey(
    *,
    name: str,
    stage: Stage,
    effective_date: date,
    actor: User | None,
    reason: str = "",
    employee_number: str | None = None,
    email: str | None = None,
    title: str | None = None,
    org_unit: OrgUnit | None = None,
    line_manager: Manager | None = None,
    hr_partner: User | None = None,
    start_date: date | None = None,
    user: User | None = None,
) -> Manager:
    """Add a person to the journey at an entry stage and record it as their first history row."""
    if stage not in ENTRY_STAGES:
        raise StageMoveError(_l("A journey can start at: %(stages)s.", stages=_stage_list(ENTRY_STAGES)))
    manager = Manager(
        name=name.strip(),
        employee_number=employee_number,
        email=email,
        title=title,
        org_unit=org_unit,
        line_manager=line_manager,
        hr_partner=hr_partner,
        start_date=start_date,
        user=user,
        stage=stage,
        stage_entered_on=effective_date,
    )
    db.session.add(manager)
    db.session.add(
        StageTransition(
            manager=manager,
            from_stage=None,
            to_stage=stage,
            effective_date=effective_date,
            actor=actor,
            reason=reason,
        )
    )
    db.session.flush()
    logger.info("manager %s entered the journey at %s", manager.id, stage.value)
    if stage is Stage.INTRODUCE:
        _launch_default_introduction(manager, actor, effective_date)
    return manager


def move_to_stage(
    manager: Manager,
    to_stage: Stage,
    actor: User | None,
    reason: str,
    effective_date: date,
    end_date: date | None = None,
) -> StageTransition:
    """Move a manager to another stage if the journey allows it, and record the move."""
    from_stage = manager.stage
    allowed = allowed_moves(from_stage)
    if to_stage not in allowed:
        if not allowed:
            raise StageMoveError(_l("This journey is closed; it cannot move any more."))
        raise StageMoveError(
            _l(
                "%(current)s cannot move to %(target)s. Allowed moves: %(allowed)s.",
                current=from_stage.title,
                target=to_stage.title,
                allowed=_stage_list(allowed),
            )
        )
    if effective_date < manager.stage_entered_on:
        raise StageMoveError(
            _l(
                "The date of the move cannot be before the current stage began (%(date)s).",
                date=manager.stage_entered_on.isoformat(),
            )
        )
    if to_stage is Stage.OFFBOARD:
        chosen_end = end_date or manager.end_date
        if chosen_end is None:
            raise StageMoveError(_l("Moving to offboarding needs an end date."))
        if manager.start_date is not None and chosen_end < manager.start_date:
            raise StageMoveError(_l("The end date cannot be before the start date."))
        if chosen_end != manager.end_date:
            # A detail changed by the move: recorded like every other change of details.
            db.session.add(
                ManagerChange(
                    manager_id=manager.id,
                    actor=actor,
                    field="end_date",
                    old_value=manager.end_date.isoformat() if manager.end_date else None,
                    new_value=chosen_end.isoformat(),
                    source="move",
                )
            )
            manager.end_date = chosen_end
    transition = StageTransition(
        manager=manager,
        from_stage=from_stage,
        to_stage=to_stage,
        effective_date=effective_date,
        actor=actor,
        reason=reason.strip(),
    )
    db.session.add(transition)
    previous_stage_since = manager.stage_entered_on
    manager.stage = to_stage
    manager.stage_entered_on = effective_date
    db.session.flush()
    logger.info("manager %s moved %s -> %s", manager.id, from_stage.value, to_stage.value)
    if to_stage is Stage.CLOSED and manager.user is not None and manager.user.is_enabled:
        # The journey is over, and the account with it: every session, API token and calendar feed of
        # it stops now (ASVS 7.4.2). A closed journey never reopens, so nothing enables it again.
        set_enabled(manager.user, False)
        logger.info("user %s disabled: the journey of manager %s closed", manager.user.id, manager.id)
    if to_stage in (Stage.OFFBOARD, Stage.CLOSED):
        # Leaving stops the reminders about them (and to them), in this same transaction.
        from lifecycle.services.reminders import sync_reminders_for_manager

        sync_reminders_for_manager(manager)
    if to_stage is Stage.INTRODUCE:
        _launch_default_introduction(manager, actor, effective_date, previous_stage_since)
    # -- offboarding ----
    if to_stage is Stage.OFFBOARD:
        # Imported here for the same reason: entering offboard launches the offboarding checklist.
        from lifecycle.services.offboarding import launch_on_entering_offboard

        launch_on_entering_offboard(manager, actor)
    return transition


def _launch_default_introduction(
    manager: Manager, actor: User | None, effective_date: date, previous_stage_since: date | None = None
) -> None:
    """Entering the introduce stage launches the default introduction programme, if HR has one."""
    # Imported here so the journey stays importable from the services it launches into.
    from lifecycle.services.introductions import launch_on_entering_introduce

    launch_on_entering_introduce(manager, actor, effective_date, previous_stage_since)
