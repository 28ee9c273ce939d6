"""The default offboarding checklist: the usual tasks, counted back from the last day, tagged by the
platform's own pillars (whatever the platform, nothing names a key)."""

from __future__ import annotations

import logging

from sqlalchemy import select

from lifecycle.enums import ActivityKind
from lifecycle.enums import OffsetUnit
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import TemplatePurpose
from lifecycle.extensions import db
from lifecycle.models import IntroductionTemplate
from lifecycle.models import Platform
from lifecycle.services.introductions import MilestoneValues
from lifecycle.services.introductions import add_milestone
from lifecycle.services.introductions import create_template
from lifecycle.services.introductions import default_template
from lifecycle.services.introductions import set_default_template
from lifecycle.services.platform import get_platform

logger = logging.getLogger(__name__)

#: the default checklist's name; `ensure_default_checklist` finds it by this name
DEFAULT_CHECKLIST_NAME = "Avveckling av chef"


def default_checklist(platform: Platform) -> tuple[str, str, list[MilestoneValues]]:
    """Return the default checklist's name, description and tasks for the platform's current pillars."""
    keys = [p.key for p in platform.pillars if p.retired_at is None]
    role = ResponsibleRole
    tasks = [
        MilestoneValues(
            "Överlämning av verksamheten",
            -10,
            OffsetUnit.DAYS,
            role.MANAGER,
            pillar_keys=keys[1:2] or keys[:1],
            description="Uppdrag, mål och kontakter lämnas över till efterträdaren eller närmaste chef.",
        ),
        MilestoneValues(
            "Budgetansvar lämnas över",
            -10,
            OffsetUnit.DAYS,
            role.LINE_MANAGER,
            pillar_keys=keys[:1],
            description="Budget, attesträtt och delegationer flyttas till den som tar över.",
        ),
        MilestoneValues(
            "Personalansvar lämnas över",
            -10,
            OffsetUnit.DAYS,
            role.LINE_MANAGER,
            pillar_keys=keys[-1:],
            description="Medarbetarna får veta vem som är deras chef; pågående ärenden lämnas över.",
        ),
        MilestoneValues(
            "Avgångssamtal",
            -5,
            OffsetUnit.DAYS,
            role.HR_PARTNER,
            pillar_keys=keys,
            kind=ActivityKind.EXIT_INTERVIEW,
            description=f"Var fungerade stödet och var brast det, per del av {platform.name_sv}, och varför "
            "chefen slutar.",
        ),
        MilestoneValues(
            "Konton, behörigheter och utrustning",
            0,
            OffsetUnit.DAYS,
            role.HR_PARTNER,
            pillar_keys=keys[:1],
            description="Konton och behörigheter avslutas; dator, telefon och passerkort lämnas tillbaka.",
        ),
    ]
    description = (
        "Avvecklingen av en chef som slutar: överlämning av verksamhet, budget och personal, konton och "
        "utrustning, och avgångssamtalet, räknat bakåt från sista arbetsdagen."
    )
    return DEFAULT_CHECKLIST_NAME, description, tasks


def ensure_default_checklist() -> IntroductionTemplate | None:
    """Return the checklist launched on entering offboard: HR's default, else the built one (created).

    None when HR retired the built one without choosing another, or no platform is loaded. Running it
    again changes nothing, and never overwrites what HR has changed.
    """
    chosen = default_template(TemplatePurpose.OFFBOARDING)
    if chosen is not None:
        return chosen
    platform = get_platform()
    if platform is None:
        return None
    name, description, tasks = default_checklist(platform)
    template = db.session.scalar(select(IntroductionTemplate).where(IntroductionTemplate.name == name))
    if template is None:
        template = create_template(name, description, TemplatePurpose.OFFBOARDING)
        for task in tasks:
            add_milestone(template, task)
        logger.info("default offboarding checklist %s created", template.id)
    if template.purpose is TemplatePurpose.OFFBOARDING and template.is_active:
        set_default_template(template)
        return template
    logger.warning("no offboarding checklist is offered; none launched")
    return None
