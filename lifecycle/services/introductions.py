"""Introduction programmes: HR's templates, launching one for a manager, moving it with the start date.

A launch turns each milestone of a template into an activity of the introduce stage, dated from the
start date by the milestone's offset and moved to the next Swedish working day.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import ORMOption

from lifecycle.enums import ActivityKind
from lifecycle.enums import OffsetUnit
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Expectation
from lifecycle.models import IntroductionLaunch
from lifecycle.models import IntroductionTemplate
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models import Platform
from lifecycle.models import TemplateMilestone
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import resolve_tags
from lifecycle.services.pipeline import ManagerFilter
from lifecycle.services.pipeline import filter_clauses
from lifecycle.services.platform import get_platform
from lifecycle.services.workdays import next_working_day

logger = logging.getLogger(__name__)

#: the default programme's name; `ensure_default_template` finds it by this name
DEFAULT_TEMPLATE_NAME = "Introduktion för nya chefer"


class IntroductionError(ValueError):
    """A template, milestone or launch breaks a rule; `field` names what to fix, the message is for users."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# -- dates -------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later (or earlier), the month's last day when it is shorter."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def offset_date(start: date, amount: int, unit: OffsetUnit) -> date:
    """Return the start date moved by an offset, before any shift to a working day."""
    if unit is OffsetUnit.MONTHS:
        return add_months(start, amount)
    return start + timedelta(days=amount * (7 if unit is OffsetUnit.WEEKS else 1))


def milestone_due_date(start: date, amount: int, unit: OffsetUnit) -> date:
    """Return when a milestone is due: the start date plus its offset, on the next working day."""
    return next_working_day(offset_date(start, amount, unit))


def _approximate_days(milestone: TemplateMilestone) -> int:
    """Return an offset in days for ordering milestones (a month counted as 30 days)."""
    per_unit = {OffsetUnit.DAYS: 1, OffsetUnit.WEEKS: 7, OffsetUnit.MONTHS: 30}
    return milestone.offset_amount * per_unit[milestone.offset_unit]


# -- templates and milestones --------------------------------------------------------------------------


def _check_template_name(name: str, template: IntroductionTemplate | None = None) -> str:
    clean = name.strip()
    if not clean:
        raise IntroductionError("name", _l("Give the programme a name."))
    clash = select(IntroductionTemplate.id).where(IntroductionTemplate.name == clean)
    if template is not None and template.id is not None:
        clash = clash.where(IntroductionTemplate.id != template.id)
    if db.session.scalar(clash) is not None:
        raise IntroductionError("name", _l("Another programme has this name."))
    return clean


def create_template(name: str, description: str = "") -> IntroductionTemplate:
    """Add an introduction programme without milestones; it is not the default until chosen."""
    template = IntroductionTemplate(
        name=_check_template_name(name), description=description.strip(), is_default=False, is_active=True
    )
    db.session.add(template)
    db.session.flush()
    logger.info("introduction template %s created", template.id)
    return template


def update_template(template: IntroductionTemplate, *, name: str, description: str, is_active: bool) -> None:
    """Change a programme's name, description and whether it is offered; a retired one is not the default."""
    template.name = _check_template_name(name, template)
    template.description = description.strip()
    template.is_active = is_active
    if not is_active:
        template.is_default = False
    db.session.flush()


def set_default_template(template: IntroductionTemplate) -> None:
    """Make `template` the programme launched when someone enters the introduce stage."""
    if not template.is_active:
        raise IntroductionError("template", _l("A programme that is not offered cannot be the default."))
    db.session.execute(
        update(IntroductionTemplate)
        .where(IntroductionTemplate.id != template.id, IntroductionTemplate.is_default.is_(True))
        .values(is_default=False)
    )
    template.is_default = True
    db.session.flush()
    logger.info("introduction template %s is the default", template.id)


def default_template() -> IntroductionTemplate | None:
    """Return the default programme, if one is chosen and offered, with its milestones and their tags."""
    return db.session.scalar(
        select(IntroductionTemplate)
        .where(IntroductionTemplate.is_default.is_(True), IntroductionTemplate.is_active.is_(True))
        .options(*_milestone_options())
        .order_by(IntroductionTemplate.id)
        .limit(1)
    )


def _milestone_options() -> list[ORMOption]:
    milestones = selectinload(IntroductionTemplate.milestones)
    return [
        milestones.selectinload(TemplateMilestone.pillars),
        milestones.selectinload(TemplateMilestone.expectations),
        milestones.joinedload(TemplateMilestone.responsible_user),
    ]


def active_templates() -> list[IntroductionTemplate]:
    """Return the programmes HR may launch, the default first."""
    return list(
        db.session.scalars(
            select(IntroductionTemplate)
            .where(IntroductionTemplate.is_active.is_(True))
            .order_by(IntroductionTemplate.is_default.desc(), IntroductionTemplate.name)
        )
    )


@dataclass(frozen=True)
class MilestoneValues:
    """What a milestone says; tags by key, as forms, files and the API give them."""

    title: str
    offset_amount: int
    offset_unit: OffsetUnit
    responsible_role: ResponsibleRole
    pillar_keys: Sequence[str] = ()
    expectation_keys: Sequence[str] = ()
    description: str = ""
    #: needed when the role is "named"
    responsible_user: User | None = None


def _checked(values: MilestoneValues) -> tuple[list[Pillar], list[Expectation]]:
    if not values.title.strip():
        raise IntroductionError("title", _l("Give the milestone a title."))
    if len(values.title.strip()) > 200:
        raise IntroductionError("title", _l("The title is too long (at most 200 characters)."))
    if values.responsible_role is ResponsibleRole.NAMED and values.responsible_user is None:
        raise IntroductionError("responsible_email", _l("Name the person responsible."))
    if not values.pillar_keys and not values.expectation_keys:
        raise IntroductionError("pillars", _l("Choose at least one pillar the milestone builds."))
    try:
        return resolve_tags(values.pillar_keys, values.expectation_keys)
    except ActivityError as refused:
        raise IntroductionError(refused.field, str(refused)) from refused


def _renumber(template: IntroductionTemplate) -> None:
    """Keep milestones in date order: before the start first, then by offset."""
    ordered = sorted(template.milestones, key=lambda m: (_approximate_days(m), m.position, m.id or 0))
    for position, milestone in enumerate(ordered):
        milestone.position = position


def add_milestone(template: IntroductionTemplate, values: MilestoneValues) -> TemplateMilestone:
    """Add a milestone to a programme; it must build at least one pillar."""
    pillars, expectations = _checked(values)
    milestone = TemplateMilestone(
        title=values.title.strip(),
        description=values.description.strip(),
        offset_amount=values.offset_amount,
        offset_unit=values.offset_unit,
        responsible_role=values.responsible_role,
        responsible_user=values.responsible_user
        if values.responsible_role is ResponsibleRole.NAMED
        else None,
        pillars=pillars,
        expectations=expectations,
        position=len(template.milestones),
    )
    template.milestones.append(milestone)
    _renumber(template)
    db.session.flush()
    return milestone


def update_milestone(milestone: TemplateMilestone, values: MilestoneValues) -> None:
    """Change a milestone; programmes already launched keep their dates until the start date changes."""
    pillars, expectations = _checked(values)
    milestone.title = values.title.strip()
    milestone.description = values.description.strip()
    milestone.offset_amount = values.offset_amount
    milestone.offset_unit = values.offset_unit
    milestone.responsible_role = values.responsible_role
    milestone.responsible_user = (
        values.responsible_user if values.responsible_role is ResponsibleRole.NAMED else None
    )
    milestone.pillars = pillars
    milestone.expectations = expectations
    _renumber(milestone.template)
    db.session.flush()


def remove_milestone(milestone: TemplateMilestone) -> None:
    """Remove a milestone from its programme; activities launched from it stay as they are."""
    template = milestone.template
    template.milestones.remove(milestone)
    _renumber(template)
    db.session.flush()


def _programme_from_file(programme: dict[str, Any]) -> tuple[str, str, list[MilestoneValues]]:
    return (
        programme["name"],
        programme.get("description", ""),
        [
            MilestoneValues(
                title=m["title"],
                offset_amount=int(m["offset_amount"]),
                offset_unit=OffsetUnit(m["offset_unit"]),
                responsible_role=ResponsibleRole(m["responsible"]),
                pillar_keys=tuple(m["pillars"]),
                expectation_keys=tuple(m["expectations"]),
                description=m.get("description", ""),
            )
            for m in programme["milestones"]
        ],
    )


def _programme_from_pillars(platform: Platform) -> tuple[str, str, list[MilestoneValues]]:
    """A programme for a platform whose file has none: the usual steps, tagged by the platform's own pillars.

    Before the first day, the first week and month, and follow-ups after three and six months; the
    meetings build the first pillars, the workshop and the closing talk every pillar and each one's first
    expectation. Nothing names a key: whatever the platform, the tags are its own.
    """
    pillars = [p for p in platform.pillars if p.retired_at is None]
    keys = [p.key for p in pillars]
    firsts = [e.key for p in pillars for e in p.expectations[:1] if e.retired_at is None]
    names = ", ".join(p.name_sv for p in pillars)

    def milestone(
        title: str, amount: int, unit: OffsetUnit, role: ResponsibleRole, tags: list[str], text: str
    ) -> MilestoneValues:
        return MilestoneValues(title, amount, unit, role, pillar_keys=tags, description=text)

    milestones = [
        milestone(
            "Konton, utrustning och välkomstbrev",
            -5,
            OffsetUnit.DAYS,
            ResponsibleRole.HR_PARTNER,
            keys[:1],
            "Datorkonto, behörigheter, telefon och passerkort är klara till första dagen.",
        ),
        milestone(
            "Möt din närmaste chef",
            1,
            OffsetUnit.WEEKS,
            ResponsibleRole.LINE_MANAGER,
            keys[:2],
            f"Uppdraget, målen och vad {platform.name_sv} förväntar sig av en chef här.",
        ),
        milestone(
            "Möt din HR-partner",
            1,
            OffsetUnit.WEEKS,
            ResponsibleRole.HR_PARTNER,
            keys[:1],
            "Arbetsgivarens stöd: avtal, rutiner och var du får hjälp.",
        ),
        milestone(
            "Workshop om ledarplattformen",
            1,
            OffsetUnit.MONTHS,
            ResponsibleRole.MANAGER,
            keys,
            f"{platform.name_sv}: {names}, och vad förväntningarna betyder i din verksamhet.",
        ),
        milestone(
            "Uppföljning",
            3,
            OffsetUnit.MONTHS,
            ResponsibleRole.LINE_MANAGER,
            keys[-2:],
            "Tremånadersuppföljning med närmaste chef: hur har starten gått och vad behöver du?",
        ),
    ]
    milestones.append(
        MilestoneValues(
            "Introduktionssamtal med närmaste chef",
            6,
            OffsetUnit.MONTHS,
            ResponsibleRole.LINE_MANAGER,
            pillar_keys=keys,
            expectation_keys=firsts,
            description="Samtalet som avslutar introduktionen: vad som blir mål i din utvecklingsplan.",
        )
    )
    description = (
        "Introduktionsprogrammet för en ny chef: före första dagen, första veckan, första månaden och "
        f"uppföljningar efter tre och sex månader, kopplat till {platform.name_sv}."
    )
    return DEFAULT_TEMPLATE_NAME, description, milestones


def default_programme(platform: Platform) -> tuple[str, str, list[MilestoneValues]]:
    """Return the default programme's name, description and milestones: the platform file's, or built."""
    programme = (platform.defaults or {}).get("introduction")
    return _programme_from_file(programme) if programme else _programme_from_pillars(platform)


def ensure_default_template() -> IntroductionTemplate:
    """Create the default programme for new managers unless it exists; it becomes the default if none is.

    The programme is the platform file's own, or one built from its pillars (`default_programme`); it needs
    the platform loaded. Running it again changes nothing, and never overwrites what HR has changed.
    """
    platform = get_platform()
    if platform is None:
        raise IntroductionError("template", _l("Load the leadership platform first."))
    name, description, milestones = default_programme(platform)
    template = db.session.scalar(select(IntroductionTemplate).where(IntroductionTemplate.name == name))
    if template is not None:
        return template
    template = create_template(name, description)
    for values in milestones:
        add_milestone(template, values)
    has_default = db.session.scalar(
        select(IntroductionTemplate.id).where(IntroductionTemplate.is_default.is_(True)).limit(1)
    )
    if has_default is None:
        set_default_template(template)
    logger.info("default introduction template %s created", template.id)
    return template


# -- launching ---------------------------------------------------------------------------------------


def _responsible(manager: Manager, milestone: TemplateMilestone) -> tuple[User | None, str]:
    """Return who is responsible for the manager's milestone: a user, or the name of someone without one."""
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
        pillars = [p for p in milestone.pillars if not p.is_retired]
        if not pillars:
            # The platform retired every pillar the milestone built: HR must tag it again first.
            logger.warning("milestone %s builds no current pillar; not launched", milestone.id)
            continue
        responsible, note = _responsible(manager, milestone)
        activity = add_activity(
            kind=ActivityKind.INTRODUCTION_MILESTONE,
            title=milestone.title,
            description=milestone.description,
            participants=[manager],
            pillars=pillars,
            expectations=[e for e in milestone.expectations if not e.is_retired],
            actor=actor,
            stage=Stage.INTRODUCE,
            due_on=milestone_due_date(start_date, milestone.offset_amount, milestone.offset_unit),
            responsible=responsible,
            responsible_note=note,
        )
        activity.introduction_id = launch.id
        activity.template_milestone_id = milestone.id
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


# -- progress and the HR overview ------------------------------------------------------------------------


@dataclass(frozen=True)
class IntroductionProgress:
    """How far a manager's introduction programmes have come (cancelled milestones are not counted)."""

    done: int = 0
    #: open and not yet past their date
    due: int = 0
    #: open and past their date
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.done + self.due + self.overdue


def _launched_milestones(manager_ids: Iterable[int]) -> list[ColumnElement[bool]]:
    return [
        activity_participants.c.manager_id.in_(list(manager_ids)),
        Activity.introduction_id.is_not(None),
        Activity.cancelled_at.is_(None),
    ]


def introduction_progress(manager_ids: Iterable[int], today: date) -> dict[int, IntroductionProgress]:
    """Return done / due / overdue milestone counts for each manager with a programme, in one query.

    The query runs even for no managers, so a page's query count does not depend on what it shows.
    """
    is_open = Activity.completed_on.is_(None)
    past = and_(is_open, Activity.due_on < today)
    rows = db.session.execute(
        select(
            activity_participants.c.manager_id,
            func.count(Activity.completed_on),
            func.sum(
                case((and_(is_open, or_(Activity.due_on.is_(None), Activity.due_on >= today)), 1), else_=0)
            ),
            func.sum(case((past, 1), else_=0)),
        )
        .join(Activity, Activity.id == activity_participants.c.activity_id)
        .where(*_launched_milestones(manager_ids))
        .group_by(activity_participants.c.manager_id)
    ).all()
    return {
        manager_id: IntroductionProgress(done=int(done or 0), due=int(due or 0), overdue=int(overdue or 0))
        for manager_id, done, due, overdue in rows
    }


def overdue_milestones(
    manager_ids: Iterable[int], today: date, per_manager: int = 5
) -> dict[int, list[Activity]]:
    """Return each manager's overdue milestones, oldest first, at most `per_manager` each, in one query."""
    rank = (
        func.row_number()
        .over(partition_by=activity_participants.c.manager_id, order_by=(Activity.due_on, Activity.id))
        .label("rank")
    )
    ranked = (
        select(activity_participants.c.manager_id.label("manager_id"), Activity.id.label("activity_id"), rank)
        .join(Activity, Activity.id == activity_participants.c.activity_id)
        .where(*_launched_milestones(manager_ids), Activity.completed_on.is_(None), Activity.due_on < today)
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.manager_id, Activity)
        .join(Activity, Activity.id == ranked.c.activity_id)
        .where(ranked.c.rank <= per_manager)
        .options(joinedload(Activity.responsible))
        .order_by(ranked.c.manager_id, Activity.due_on, Activity.id)
    ).all()
    found: dict[int, list[Activity]] = {}
    for manager_id, activity in rows:
        found.setdefault(manager_id, []).append(activity)
    return found


@dataclass(frozen=True)
class IntroductionFilter:
    """What HR narrows the introductions overview down to."""

    #: a unit, including everything below it
    unit_id: int | None = None
    hr_partner_id: int | None = None
    #: only those with an overdue milestone
    only_overdue: bool = False


@dataclass(frozen=True)
class IntroductionRow:
    manager: Manager
    progress: IntroductionProgress
    overdue: list[Activity] = field(default_factory=list)


def _overdue_exists(today: date) -> ColumnElement[bool]:
    # Through the launch, whose milestones are the manager's own, and the partial index of open
    # milestones: a few thousand rows, where the participants table holds one per activity ever.
    return (
        select(IntroductionLaunch.id)
        .join(Activity, Activity.introduction_id == IntroductionLaunch.id)
        .where(
            IntroductionLaunch.manager_id == Manager.id,
            Activity.introduction_id.is_not(None),
            Activity.cancelled_at.is_(None),
            Activity.completed_on.is_(None),
            Activity.due_on < today,
        )
        .exists()
    )


def introductions_overview(
    visible: ColumnElement[bool], filters: IntroductionFilter, today: date, *, limit: int, offset: int = 0
) -> tuple[int, list[IntroductionRow]]:
    """Return how many managers are in the introduce stage and one page of them with progress.

    Four queries whatever the page holds: the count, the page, the progress, the overdue milestones.
    """
    clauses = filter_clauses(
        ManagerFilter(
            unit_id=filters.unit_id, hr_partner_id=filters.hr_partner_id, stages=(Stage.INTRODUCE,)
        ),
        today,
    )
    if filters.only_overdue:
        clauses.append(_overdue_exists(today))
    total = db.session.scalar(select(func.count()).select_from(Manager).where(visible, *clauses)) or 0
    managers = list(
        db.session.scalars(
            select(Manager)
            .where(visible, *clauses)
            .options(
                joinedload(Manager.org_unit), joinedload(Manager.hr_partner), joinedload(Manager.line_manager)
            )
            .order_by(Manager.stage_entered_on, Manager.id)
            .offset(offset)
            .limit(limit)
        )
    )
    ids = [m.id for m in managers]
    progress = introduction_progress(ids, today)
    overdue = overdue_milestones(ids, today)
    return total, [
        IntroductionRow(
            manager=m, progress=progress.get(m.id, IntroductionProgress()), overdue=overdue.get(m.id, [])
        )
        for m in managers
    ]
