"""Launching a programme for a manager, and moving its open milestones with the start date."""

from __future__ import annotations

import logging
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.enums import ActivityKind
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import IntroductionLaunch
from lifecycle.models import IntroductionTemplate
from lifecycle.models import Manager
from lifecycle.models import TemplateMilestone
from lifecycle.models import User
from lifecycle.services.activities import add_activity
from lifecycle.services.introductions.dates import milestone_due_date
from lifecycle.services.introductions.errors import IntroductionError
from lifecycle.services.introductions.templates import default_template
from lifecycle.services.workdays import next_working_day

logger = logging.getLogger(__name__)


def responsible_for(manager: Manager, milestone: TemplateMilestone) -> tuple[User | None, str]:
    """Return who is responsible for a milestone or task of the manager: a user, or a name without one."""
    role = milestone.responsible_role
    if role is ResponsibleRole.NAMED:
        return milestone.responsible_user, ""
    if role is ResponsibleRole.HR_PARTNER:
        return manager.hr_partner, ""
    person = {
        ResponsibleRole.MANAGER: manager,
        ResponsibleRole.LINE_MANAGER: manager.line_manager,
        ResponsibleRole.MENTOR: manager.mentor,
    }[role]
    if person is None:
        return None, ""
    # Someone without an account is still named, so the milestone is not left without anyone.
    return person.user, "" if person.user is not None else person.name


def add_milestone_activity(
    manager: Manager, milestone: TemplateMilestone, actor: User | None, stage: Stage, due_on: date
) -> Activity | None:
    """Add the manager's activity for one milestone of a template (an introduction's, or an offboarding
    checklist's task), or None when the milestone builds no current pillar."""
    pillars = [p for p in milestone.pillars if not p.is_retired]
    if not pillars:
        # The platform retired every pillar the milestone built: HR must tag it again first.
        logger.warning("milestone %s builds no current pillar; not launched", milestone.id)
        return None
    responsible, note = responsible_for(manager, milestone)
    default_kind = ActivityKind.INTRODUCTION_MILESTONE if stage is Stage.INTRODUCE else ActivityKind.OTHER
    activity = add_activity(
        kind=milestone.kind or default_kind,
        title=milestone.title,
        description=milestone.description,
        participants=[manager],
        pillars=pillars,
        expectations=[e for e in milestone.expectations if not e.is_retired],
        actor=actor,
        stage=stage,
        due_on=due_on,
        responsible=responsible,
        responsible_note=note,
    )
    activity.template_milestone_id = milestone.id
    return activity


def launch_introduction(
    manager: Manager, template: IntroductionTemplate, actor: User | None, start_date: date
) -> IntroductionLaunch:
    """Launch a programme for a manager: one dated introduction milestone activity per template milestone."""
    if manager.stage is Stage.CLOSED:
        raise IntroductionError("template", _l("This journey is closed; no programme can be launched."))
    if not template.is_active:
        raise IntroductionError("template", _l("This programme is no longer offered."))
    if not template.milestones:
        raise IntroductionError("template", _l("This programme has no milestones yet."))
    launch = IntroductionLaunch(
        manager=manager, template=template, start_date=start_date, launched_by_id=actor.id if actor else None
    )
    db.session.add(launch)
    db.session.flush()
    for milestone in template.milestones:
        due = milestone_due_date(start_date, milestone.offset_amount, milestone.offset_unit)
        activity = add_milestone_activity(manager, milestone, actor, Stage.INTRODUCE, due)
        if activity is not None:
            activity.introduction_id = launch.id
    db.session.flush()
    logger.info("introduction %s (template %s) launched for manager %s", launch.id, template.id, manager.id)
    return launch


def has_launch(manager: Manager, template: IntroductionTemplate, start_date: date) -> bool:
    """Return whether this programme is already launched for the manager from this start date."""
    return (
        db.session.scalar(
            select(IntroductionLaunch.id).where(
                IntroductionLaunch.manager_id == manager.id,
                IntroductionLaunch.template_id == template.id,
                IntroductionLaunch.start_date == start_date,
            )
        )
        is not None
    )


def launch_on_entering_introduce(
    manager: Manager, actor: User | None, effective_date: date, previous_stage_since: date | None = None
) -> IntroductionLaunch | None:
    """Launch the default programme for someone who has just entered the introduce stage, if there is one.

    The programme runs from the manager's start date, or from the move's date when there is none. A
    start date from before the stage they are leaving belongs to an earlier assignment (develop →
    introduce is a new one), so the move's date is used then too; changing the start date later moves
    the open milestones.
    """
    template = default_template()
    if template is None or not template.milestones:
        return None
    start = manager.start_date
    if start is None or (previous_stage_since is not None and start < previous_stage_since):
        start = effective_date
    return launch_introduction(manager, template, actor, start)


def reschedule_introductions(manager: Manager, new_start: date) -> int:
    """Move every open milestone of the manager's programmes to the new start date; return how many moved.

    Completed and cancelled milestones keep their dates: they are history.
    """
    launches = list(
        db.session.scalars(select(IntroductionLaunch).where(IntroductionLaunch.manager_id == manager.id))
    )
    if not launches:
        return 0
    by_id = {launch.id: launch for launch in launches}
    open_milestones = list(
        db.session.scalars(
            select(Activity).where(
                Activity.introduction_id.in_(by_id),
                Activity.completed_on.is_(None),
                Activity.cancelled_at.is_(None),
            )
        )
    )
    template_ids = {a.template_milestone_id for a in open_milestones if a.template_milestone_id is not None}
    offsets = {
        m.id: (m.offset_amount, m.offset_unit)
        for m in db.session.scalars(select(TemplateMilestone).where(TemplateMilestone.id.in_(template_ids)))
    }
    moved = 0
    for activity in open_milestones:
        launch = by_id[activity.introduction_id or 0]
        if activity.template_milestone_id in offsets:
            amount, unit = offsets[activity.template_milestone_id]
            due = milestone_due_date(new_start, amount, unit)
        elif activity.due_on is not None:
            # Its template milestone was removed: keep its distance from the start date.
            due = next_working_day(activity.due_on + (new_start - launch.start_date))
        else:
            continue
        if due != activity.due_on:
            activity.due_on = due
            moved += 1
    for launch in launches:
        launch.start_date = new_start
    db.session.flush()
    logger.info("manager %s: %d introduction milestones moved to start %s", manager.id, moved, new_start)
    return moved
