"""Loading the leadership platform into the database, idempotently; reading it back."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask_babel import LazyString
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Pillar
from lifecycle.models import Platform

# -- effect map ----
from lifecycle.services.effect_map.seeding import seed_effect_map
from lifecycle.services.platform_file import PlatformDoc
from lifecycle.services.platform_file import PlatformFileError
from lifecycle.services.recruitment.banks import seed_banks
from lifecycle.services.workshops.guide import seed_workshop_questions

logger = logging.getLogger(__name__)


@dataclass
class LoadReport:
    """What loading a platform file changed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    #: the recruitment banks' entries the file's phrases and questions added or updated
    seeded: int = 0
    #: the workshops' discussion questions the file added or updated
    workshop_questions: int = 0
    # -- effect map ----
    #: the effect map's effects, drivers and obstacles the file added or updated
    effects: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.retired
            or self.restored
            or self.seeded
            or self.workshop_questions
            or self.effects  # -- effect map ----
        )


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; return whether any did, so an unchanged load writes nothing."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _split(prefix: str, texts: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}_{lang}": text for lang, text in texts.items()}


def get_platform() -> Platform | None:
    """Return the installation's platform with its pillars and expectations loaded."""
    return db.session.scalar(
        select(Platform).options(selectinload(Platform.pillars).selectinload(Pillar.expectations))
    )


def load_platform(doc: PlatformDoc) -> LoadReport:
    """Create or update the platform from a checked document; retire what the document no longer has."""
    report = LoadReport()
    platform = get_platform()
    if platform is not None and platform.key != doc.key:
        raise PlatformFileError(
            [f"this installation holds the platform '{platform.key}'; the file describes '{doc.key}'"]
        )
    platform_values: dict[str, Any] = {"key": doc.key, "values": doc.values, "defaults": doc.defaults()}
    for name in ("municipality", "name", "promise", "whole", "purpose"):
        platform_values.update(_split(name, getattr(doc, name)))
    if platform is None:
        platform = Platform(**platform_values, pillars=[])
        db.session.add(platform)
        report.created.append(doc.key)
    elif _assign(platform, platform_values):
        report.updated.append(doc.key)

    pillars = {p.key: p for p in db.session.scalars(select(Pillar))}
    expectations = {e.key: e for e in db.session.scalars(select(Expectation))}
    for position, pillar_doc in enumerate(doc.pillars, start=1):
        values = {
            "position": position,
            **_split("name", pillar_doc.name),
            **_split("description", pillar_doc.description),
            **_split("trait", pillar_doc.trait),
        }
        pillar = pillars.pop(pillar_doc.key, None)
        if pillar is None:
            pillar = Pillar(key=pillar_doc.key, platform=platform, **values)
            db.session.add(pillar)
            report.created.append(pillar_doc.key)
        else:
            _track(pillar, values, report)
        for exp_position, exp_doc in enumerate(pillar_doc.expectations, start=1):
            exp_values = {"position": exp_position, "pillar": pillar, **_split("text", exp_doc.text)}
            expectation = expectations.pop(exp_doc.key, None)
            if expectation is None:
                db.session.add(Expectation(key=exp_doc.key, **exp_values))
                report.created.append(exp_doc.key)
            else:
                _track(expectation, exp_values, report)

    now = utcnow()
    leftovers: list[Pillar | Expectation] = [*pillars.values(), *expectations.values()]
    for leftover in leftovers:
        if leftover.retired_at is None:
            leftover.retired_at = now
            report.retired.append(leftover.key)
    db.session.flush()
    report.seeded = seed_banks(doc)
    report.workshop_questions = seed_workshop_questions(doc)
    report.effects = seed_effect_map(doc)  # -- effect map ----
    if report.changed:
        platform.loaded_at = now
        logger.info(
            "platform %s loaded: %d created, %d updated, %d retired, %d restored, %d bank entries",
            doc.key,
            len(report.created),
            len(report.updated),
            len(report.retired),
            len(report.restored),
            report.seeded,
        )
    return report


def _track(item: Pillar | Expectation, values: dict[str, Any], report: LoadReport) -> None:
    """Update an existing pillar or expectation and record what happened to it."""
    if item.retired_at is not None:
        item.retired_at = None
        report.restored.append(item.key)
    if _assign(item, values):
        report.updated.append(item.key)


def current_keys() -> tuple[list[str], list[str]]:
    """Return the keys of the loaded platform's current pillars and expectations, in their order."""
    platform = get_platform()
    if platform is None:
        return [], []
    pillars = [p for p in platform.pillars if p.retired_at is None]
    return [p.key for p in pillars], [e.key for p in pillars for e in p.expectations if e.retired_at is None]


def _pillar_keys_text() -> str:
    return ", ".join(current_keys()[0]) or "…"


def _expectation_example_text() -> str:
    expectations = current_keys()[1]
    return expectations[0] if expectations else "…"


#: Filled in when a help text is shown, from the platform loaded then: help never names another's keys.
PILLAR_KEYS_TEXT = LazyString(_pillar_keys_text)
EXPECTATION_EXAMPLE_TEXT = LazyString(_expectation_example_text)
