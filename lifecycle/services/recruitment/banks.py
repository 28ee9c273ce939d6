"""The phrase and question banks: HR's entries per expectation and language, and what a platform seeds.

Every entry belongs to one bank: a kind (ad phrase or interview question), an expectation and a
language. HR adds, edits, retires, restores and reorders entries; a platform file's texts are seeded
once and follow the file on a reload only as long as HR has not touched them.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lifecycle.db import utcnow
from lifecycle.enums import Language
from lifecycle.extensions import db
from lifecycle.models import BankEntry
from lifecycle.models import Expectation
from lifecycle.models.recruitment_banks import BankKind
from lifecycle.services.ordering import move_one_place
from lifecycle.services.platform_file import PlatformDoc

logger = logging.getLogger(__name__)

#: an ad paragraph or a question is a few sentences; more is an ad of its own
TEXT_MAX_LENGTH = 2000
#: the platform file's field that seeds each bank
SEEDED_FROM = {BankKind.PHRASE: "phrases", BankKind.QUESTION: "questions"}

#: a bank: its kind, the expectation's id and the language
Bank = tuple[BankKind, int, Language]


class BankError(ValueError):
    """A change to a bank that is refused; `field` names what to fix."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(message)
        self.field = field


def _checked_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise BankError("text", _l("Write the text."))
    if len(cleaned) > TEXT_MAX_LENGTH:
        raise BankError("text", _l("At most %(num)d characters.", num=TEXT_MAX_LENGTH))
    return cleaned


def entries_of(
    kind: BankKind, expectation_ids: Collection[int], language: Language | None = None
) -> dict[int, list[BankEntry]]:
    """The current entries of these expectations' banks, in HR's order, by expectation (one query)."""
    found: dict[int, list[BankEntry]] = {expectation_id: [] for expectation_id in expectation_ids}
    if not expectation_ids:
        return found
    query = select(BankEntry).where(
        BankEntry.kind == kind,
        BankEntry.expectation_id.in_(expectation_ids),
        BankEntry.retired_at.is_(None),
    )
    if language is not None:
        query = query.where(BankEntry.language == language)
    for entry in db.session.scalars(query.order_by(BankEntry.position, BankEntry.id)):
        found[entry.expectation_id].append(entry)
    return found


def bank_page(kind: BankKind, expectation: Expectation) -> dict[Language, list[BankEntry]]:
    """Every entry of the expectation's bank of this kind, current and retired, per language."""
    page: dict[Language, list[BankEntry]] = {language: [] for language in Language}
    for entry in db.session.scalars(
        select(BankEntry)
        .where(BankEntry.kind == kind, BankEntry.expectation_id == expectation.id)
        .order_by(BankEntry.retired_at.is_not(None), BankEntry.position, BankEntry.id)
    ):
        page[entry.language].append(entry)
    return page


def bank_counts(kind: BankKind) -> dict[tuple[int, Language], int]:
    """How many current entries each expectation's bank holds per language (one grouped query)."""
    return {
        (expectation_id, language): count
        for expectation_id, language, count in db.session.execute(
            select(BankEntry.expectation_id, BankEntry.language, func.count())
            .where(BankEntry.kind == kind, BankEntry.retired_at.is_(None))
            .group_by(BankEntry.expectation_id, BankEntry.language)
        )
    }


def bank_entries(
    kind: BankKind | None = None, expectation_key: str | None = None, language: Language | None = None
) -> list[BankEntry]:
    """Every entry of the banks, current and retired, narrowed as asked; by expectation, bank and order."""
    query = select(BankEntry).join(BankEntry.expectation).options(joinedload(BankEntry.expectation))
    if kind is not None:
        query = query.where(BankEntry.kind == kind)
    if expectation_key is not None:
        query = query.where(Expectation.key == expectation_key)
    if language is not None:
        query = query.where(BankEntry.language == language)
    order = (Expectation.pillar_id, Expectation.position, BankEntry.kind, BankEntry.language)
    return list(db.session.scalars(query.order_by(*order, BankEntry.position, BankEntry.id)))


def entry_of(entry_id: int) -> BankEntry | None:
    return db.session.scalar(
        select(BankEntry).where(BankEntry.id == entry_id).options(joinedload(BankEntry.expectation))
    )


def _next_positions(banks: Iterable[Bank]) -> dict[Bank, int]:
    wanted = set(banks)
    if not wanted:
        return {}
    expectation_ids = {expectation_id for _kind, expectation_id, _language in wanted}
    highest = {
        (kind, expectation_id, language): position
        for kind, expectation_id, language, position in db.session.execute(
            select(BankEntry.kind, BankEntry.expectation_id, BankEntry.language, func.max(BankEntry.position))
            .where(BankEntry.expectation_id.in_(expectation_ids))
            .group_by(BankEntry.kind, BankEntry.expectation_id, BankEntry.language)
        )
    }
    return {bank: highest[bank] + 1 if bank in highest else 0 for bank in wanted}


def add_entry(kind: BankKind, expectation: Expectation, language: Language, text: str) -> BankEntry:
    """Add HR's own entry at the end of the expectation's bank in that language."""
    cleaned = _checked_text(text)
    if expectation.is_retired:
        raise BankError("text", _l("A retired expectation cannot be chosen for something new."))
    bank = (kind, expectation.id, language)
    entry = BankEntry(
        kind=kind,
        expectation=expectation,
        language=language,
        text=cleaned,
        position=_next_positions([bank])[bank],
    )
    db.session.add(entry)
    db.session.flush()
    logger.info(
        "%s bank of expectation %s (%s): entry %s added", kind.value, expectation.id, language, entry.id
    )
    return entry


def edit_entry(entry: BankEntry, text: str) -> None:
    """Change the entry's words; a platform file's reload no longer touches it."""
    cleaned = _checked_text(text)
    if cleaned != entry.text:
        entry.text = cleaned
        entry.edited_at = utcnow()
        db.session.flush()


def set_retired(entry: BankEntry, retired: bool) -> None:
    """Retire the entry (it is no longer offered; ads that chose it keep it) or bring it back."""
    if retired == entry.is_retired:
        return
    now = utcnow()
    entry.retired_at = now if retired else None
    entry.edited_at = now
    if not retired:
        bank = (entry.kind, entry.expectation_id, entry.language)
        entry.position = _next_positions([bank])[bank]
    db.session.flush()


def move_entry(entry: BankEntry, step: int) -> bool:
    """Move a current entry one place up (-1) or down (+1) in its bank; False when it is at the end."""
    if entry.is_retired or step not in (-1, 1):
        return False
    siblings = list(
        db.session.scalars(
            select(BankEntry)
            .where(
                BankEntry.kind == entry.kind,
                BankEntry.expectation_id == entry.expectation_id,
                BankEntry.language == entry.language,
                BankEntry.retired_at.is_(None),
            )
            .order_by(BankEntry.position, BankEntry.id)
        )
    )
    if not move_one_place(siblings, entry, step):
        return False
    db.session.flush()
    return True


def seed_banks(doc: PlatformDoc) -> int:
    """Add the platform file's phrases and questions to the banks; return how many entries changed.

    A text seeded before is found by its place in the file's list. It follows the file's new words
    while HR has neither edited nor retired it; otherwise it is left as HR made it.
    """
    texts = {
        (kind, expectation.key, Language(language), number): text
        for pillar in doc.pillars
        for expectation in pillar.expectations
        for kind, name in SEEDED_FROM.items()
        for language, listed in getattr(expectation, name).items()
        for number, text in enumerate(listed, start=1)
    }
    if not texts:
        return 0
    expectations = {
        e.key: e
        for e in db.session.scalars(
            select(Expectation).where(Expectation.key.in_({key for _k, key, _l, _n in texts}))
        )
    }
    seeded = {
        (entry.kind, entry.expectation_id, entry.language, entry.seed_number): entry
        for entry in db.session.scalars(
            select(BankEntry).where(
                BankEntry.seed_number.is_not(None),
                BankEntry.expectation_id.in_([e.id for e in expectations.values()]),
            )
        )
    }
    new = {
        seed: text
        for seed, text in texts.items()
        if (seed[0], expectations[seed[1]].id, seed[2], seed[3]) not in seeded
    }
    positions = _next_positions((kind, expectations[key].id, language) for kind, key, language, _n in new)
    changed = 0
    for (kind, key, language, number), text in texts.items():
        expectation = expectations[key]
        entry = seeded.get((kind, expectation.id, language, number))
        if entry is None:
            bank = (kind, expectation.id, language)
            db.session.add(
                BankEntry(
                    kind=kind,
                    expectation=expectation,
                    language=language,
                    text=text,
                    seed_number=number,
                    position=positions[bank],
                )
            )
            positions[bank] += 1
            changed += 1
        elif entry.edited_at is None and entry.text != text:
            entry.text = text
            changed += 1
    db.session.flush()
    if changed:
        logger.info("platform %s: %d bank entries seeded or updated", doc.key, changed)
    return changed
