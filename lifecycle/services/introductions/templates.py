"""HR's introduction programmes (templates) and their milestones."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import ORMOption

from lifecycle.enums import ActivityKind
from lifecycle.enums import OffsetUnit
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import TemplatePurpose
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import IntroductionTemplate
from lifecycle.models import Pillar
from lifecycle.models import TemplateMilestone
from lifecycle.models import User
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import resolve_tags
from lifecycle.services.introductions.dates import approximate_days
from lifecycle.services.introductions.errors import IntroductionError

logger = logging.getLogger(__name__)


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


def create_template(
    name: str, description: str = "", purpose: TemplatePurpose = TemplatePurpose.INTRODUCTION
) -> IntroductionTemplate:
    """Add a programme (or checklist) without milestones; it is not the default until chosen."""
    template = IntroductionTemplate(
        name=_check_template_name(name),
        description=description.strip(),
        is_default=False,
        is_active=True,
        purpose=purpose,
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
    """Make `template` the one launched on entering its stage (introduce, or offboard for a checklist)."""
    if not template.is_active:
        raise IntroductionError("template", _l("A programme that is not offered cannot be the default."))
    db.session.execute(
        update(IntroductionTemplate)
        .where(
            IntroductionTemplate.id != template.id,
            IntroductionTemplate.is_default.is_(True),
            IntroductionTemplate.purpose == template.purpose,
        )
        .values(is_default=False)
    )
    template.is_default = True
    db.session.flush()
    logger.info("introduction template %s is the default", template.id)


def default_template(purpose: TemplatePurpose = TemplatePurpose.INTRODUCTION) -> IntroductionTemplate | None:
    """Return the default programme, if one is chosen and offered, with its milestones and their tags."""
    return db.session.scalar(
        select(IntroductionTemplate)
        .where(
            IntroductionTemplate.is_default.is_(True),
            IntroductionTemplate.is_active.is_(True),
            IntroductionTemplate.purpose == purpose,
        )
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


def active_templates(purpose: TemplatePurpose = TemplatePurpose.INTRODUCTION) -> list[IntroductionTemplate]:
    """Return the programmes HR may launch, the default first."""
    return list(
        db.session.scalars(
            select(IntroductionTemplate)
            .where(IntroductionTemplate.is_active.is_(True), IntroductionTemplate.purpose == purpose)
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
    #: the kind of activity it becomes; None keeps a milestone's own (the purpose's default for a new one)
    kind: ActivityKind | None = None


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
    ordered = sorted(template.milestones, key=lambda m: (approximate_days(m), m.position, m.id or 0))
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
        kind=values.kind,
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
    if values.kind is not None:
        milestone.kind = values.kind
    _renumber(milestone.template)
    db.session.flush()


def remove_milestone(milestone: TemplateMilestone) -> None:
    """Remove a milestone from its programme; activities launched from it stay as they are."""
    template = milestone.template
    template.milestones.remove(milestone)
    _renumber(template)
    db.session.flush()
