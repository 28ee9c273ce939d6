"""The discussion guide: HR's questions per pillar and language, and what a platform file seeds.

HR adds, edits, retires, restores and reorders questions; a platform file's `workshop_questions` are
seeded once and follow the file on a reload only while HR has not touched them (the recruitment banks'
rule, `services/recruitment/banks.py`).
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
from lifecycle.models import Pillar
from lifecycle.models.workshops import WorkshopQuestion
from lifecycle.services.ordering import move_one_place
from lifecycle.services.platform_file import MAX_BANK_TEXT_LENGTH
from lifecycle.services.platform_file import PlatformDoc
from lifecycle.services.workshops.errors import WorkshopError

logger = logging.getLogger(__name__)

#: one pillar's guide in one language
Guide = tuple[int, Language]


def _checked_text(text: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise WorkshopError("text", _l("Write the question."))
    if len(cleaned) > MAX_BANK_TEXT_LENGTH:
        raise WorkshopError("text", _l("At most %(num)d characters.", num=MAX_BANK_TEXT_LENGTH))
    return cleaned


def guide_for(pillar_ids: Collection[int], language: Language) -> dict[int, list[WorkshopQuestion]]:
    """The current questions of these pillars in a language, in HR's order, by pillar (one query)."""
    found: dict[int, list[WorkshopQuestion]] = {pillar_id: [] for pillar_id in pillar_ids}
    if not pillar_ids:
        return found
    for question in db.session.scalars(
        select(WorkshopQuestion)
        .where(
            WorkshopQuestion.pillar_id.in_(pillar_ids),
            WorkshopQuestion.language == language,
            WorkshopQuestion.retired_at.is_(None),
        )
        .order_by(WorkshopQuestion.position, WorkshopQuestion.id)
    ):
        found[question.pillar_id].append(question)
    return found


def guide_page(pillar: Pillar) -> dict[Language, list[WorkshopQuestion]]:
    """Every question of the pillar, current first then retired, per language."""
    page: dict[Language, list[WorkshopQuestion]] = {language: [] for language in Language}
    for question in db.session.scalars(
        select(WorkshopQuestion)
        .where(WorkshopQuestion.pillar_id == pillar.id)
        .order_by(WorkshopQuestion.retired_at.is_not(None), WorkshopQuestion.position, WorkshopQuestion.id)
    ):
        page[question.language].append(question)
    return page


def question_counts() -> dict[Guide, int]:
    """How many current questions each pillar's guide holds per language (one grouped query)."""
    return {
        (pillar_id, language): count
        for pillar_id, language, count in db.session.execute(
            select(WorkshopQuestion.pillar_id, WorkshopQuestion.language, func.count())
            .where(WorkshopQuestion.retired_at.is_(None))
            .group_by(WorkshopQuestion.pillar_id, WorkshopQuestion.language)
        )
    }


def question_of(question_id: int) -> WorkshopQuestion | None:
    return db.session.scalar(
        select(WorkshopQuestion)
        .where(WorkshopQuestion.id == question_id)
        .options(joinedload(WorkshopQuestion.pillar))
    )


def _next_positions(guides: Iterable[Guide]) -> dict[Guide, int]:
    wanted = set(guides)
    if not wanted:
        return {}
    highest = {
        (pillar_id, language): position
        for pillar_id, language, position in db.session.execute(
            select(WorkshopQuestion.pillar_id, WorkshopQuestion.language, func.max(WorkshopQuestion.position))
            .where(WorkshopQuestion.pillar_id.in_({pillar_id for pillar_id, _language in wanted}))
            .group_by(WorkshopQuestion.pillar_id, WorkshopQuestion.language)
        )
    }
    return {guide: highest[guide] + 1 if guide in highest else 0 for guide in wanted}


def add_question(pillar: Pillar, language: Language, text: str) -> WorkshopQuestion:
    """Add HR's own question at the end of the pillar's guide in that language."""
    cleaned = _checked_text(text)
    if pillar.is_retired:
        raise WorkshopError("text", _l("A retired pillar cannot be chosen for something new."))
    guide = (pillar.id, language)
    question = WorkshopQuestion(
        pillar=pillar, language=language, text=cleaned, position=_next_positions([guide])[guide]
    )
    db.session.add(question)
    db.session.flush()
    logger.info("workshop guide of pillar %s (%s): question %s added", pillar.id, language, question.id)
    return question


def edit_question(question: WorkshopQuestion, text: str) -> None:
    """Change the question's words; a platform file's reload no longer touches it."""
    cleaned = _checked_text(text)
    if cleaned != question.text:
        question.text = cleaned
        question.edited_at = utcnow()
        db.session.flush()


def set_question_retired(question: WorkshopQuestion, retired: bool) -> None:
    """Retire the question (no longer in the guide) or bring it back at the end."""
    if retired == question.is_retired:
        return
    now = utcnow()
    question.retired_at = now if retired else None
    question.edited_at = now
    if not retired:
        guide = (question.pillar_id, question.language)
        question.position = _next_positions([guide])[guide]
    db.session.flush()


def move_question(question: WorkshopQuestion, step: int) -> bool:
    """Move a current question one place up (-1) or down (+1); False when it is at the end."""
    if question.is_retired or step not in (-1, 1):
        return False
    siblings = list(
        db.session.scalars(
            select(WorkshopQuestion)
            .where(
                WorkshopQuestion.pillar_id == question.pillar_id,
                WorkshopQuestion.language == question.language,
                WorkshopQuestion.retired_at.is_(None),
            )
            .order_by(WorkshopQuestion.position, WorkshopQuestion.id)
        )
    )
    if not move_one_place(siblings, question, step):
        return False
    db.session.flush()
    return True


def seed_workshop_questions(doc: PlatformDoc) -> int:
    """Add the platform file's workshop questions to the guide; return how many questions changed.

    A question seeded before is found by its place in the file's list; it follows the file's new words
    while HR has neither edited nor retired it.
    """
    texts = {
        (pillar.key, Language(language), number): text
        for pillar in doc.pillars
        for language, listed in pillar.workshop_questions.items()
        for number, text in enumerate(listed, start=1)
    }
    if not texts:
        return 0
    pillars = {
        p.key: p
        for p in db.session.scalars(select(Pillar).where(Pillar.key.in_({key for key, _l, _n in texts})))
    }
    seeded = {
        (question.pillar_id, question.language, question.seed_number): question
        for question in db.session.scalars(
            select(WorkshopQuestion).where(
                WorkshopQuestion.seed_number.is_not(None),
                WorkshopQuestion.pillar_id.in_([p.id for p in pillars.values()]),
            )
        )
    }
    positions = _next_positions(
        (pillars[key].id, language)
        for key, language, number in texts
        if (pillars[key].id, language, number) not in seeded
    )
    changed = 0
    for (key, language, number), text in texts.items():
        pillar = pillars[key]
        question = seeded.get((pillar.id, language, number))
        if question is None:
            guide = (pillar.id, language)
            db.session.add(
                WorkshopQuestion(
                    pillar=pillar, language=language, text=text, seed_number=number, position=positions[guide]
                )
            )
            positions[guide] += 1
            changed += 1
        elif question.edited_at is None and question.text != text:
            question.text = text
            changed += 1
    db.session.flush()
    if changed:
        logger.info("platform %s: %d workshop questions seeded or updated", doc.key, changed)
    return changed
