"""The default programme for new managers: the platform file's own, or one built from its pillars."""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.enums import OffsetUnit
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import TemplatePurpose
from lifecycle.extensions import db
from lifecycle.models import IntroductionTemplate
from lifecycle.models import Platform
from lifecycle.services.introductions.errors import IntroductionError
from lifecycle.services.introductions.templates import MilestoneValues
from lifecycle.services.introductions.templates import add_milestone
from lifecycle.services.introductions.templates import create_template
from lifecycle.services.introductions.templates import set_default_template
from lifecycle.services.platform import get_platform

logger = logging.getLogger(__name__)

#: the default programme's name; `ensure_default_template` finds it by this name
DEFAULT_TEMPLATE_NAME = "Introduktion för nya chefer"


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
        select(IntroductionTemplate.id)
        .where(
            IntroductionTemplate.is_default.is_(True),
            IntroductionTemplate.purpose == TemplatePurpose.INTRODUCTION,
        )
        .limit(1)
    )
    if has_default is None:
        set_default_template(template)
    logger.info("default introduction template %s created", template.id)
    return template
