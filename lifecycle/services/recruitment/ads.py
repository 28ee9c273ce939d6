"""The job ad of a vacancy: its blocks, composed from the vacancy, the phrase bank and the platform.

The ad is written per language. Until HR saves it, it is prefilled: the unit's and the role's texts
from the vacancy, and for each weighed expectation (in the vacancy's order) the first phrase of the
bank. HR then chooses another phrase, or writes the paragraph in their own words, per vacancy.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import force_locale
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lifecycle.enums import Language
from lifecycle.extensions import db
from lifecycle.i18n import BABEL_LOCALES
from lifecycle.models import BankEntry
from lifecycle.models import Expectation
from lifecycle.models import Platform
from lifecycle.models import Vacancy
from lifecycle.models import VacancyAd
from lifecycle.models import VacancyAdParagraph
from lifecycle.models.recruitment_banks import BankKind
from lifecycle.services.recruitment.banks import TEXT_MAX_LENGTH as PARAGRAPH_MAX_LENGTH
from lifecycle.services.recruitment.banks import entries_of
from lifecycle.services.recruitment.documents import Material
from lifecycle.services.recruitment.documents import Section
from lifecycle.services.recruitment.documents import paragraphs_of
from lifecycle.services.recruitment.vacancies import TEXT_MAX_LENGTH
from lifecycle.services.recruitment.vacancies import VacancyError
from lifecycle.services.recruitment.vacancies import _refuse_when_over  # the vacancy's own rule

logger = logging.getLogger(__name__)

#: the languages' names, in the language of the page that names them
LANGUAGE_NAMES: dict[Language, LazyString] = {Language.SV: _l("Swedish"), Language.EN: _l("English")}
#: "in Swedish", for a sentence that says what a bank lacks
IN_LANGUAGE: dict[Language, LazyString] = {Language.SV: _l("in Swedish"), Language.EN: _l("in English")}


class AdError(VacancyError):
    """A refused change to the ad; `expectation_id` names the paragraph when it is one."""

    def __init__(self, field: str, message: LazyString | str, expectation_id: int | None = None) -> None:
        super().__init__(field, message)
        self.expectation_id = expectation_id


@dataclass(frozen=True)
class ParagraphChoice:
    """What HR chose for one expectation's paragraph: a phrase of the bank, or their own text."""

    phrase_id: int | None = None
    own_text: str | None = None


@dataclass(frozen=True)
class AdParagraph:
    """The ad's paragraph for one weighed expectation, and the phrases it may be chosen from."""

    expectation: Expectation
    weight: int
    #: the bank's current phrases in the ad's language (and the chosen one, should it be retired since)
    offered: tuple[BankEntry, ...]
    phrase: BankEntry | None
    own_text: str | None

    @property
    def text(self) -> str:
        if self.own_text is not None:
            return self.own_text
        return self.phrase.text if self.phrase is not None else ""

    @property
    def missing(self) -> bool:
        """The bank has no phrase yet in this language, and HR wrote none."""
        return not self.text


@dataclass(frozen=True)
class Ad:
    """A vacancy's ad in one language, block by block."""

    vacancy: Vacancy
    language: Language
    unit_text: str
    role_text: str
    paragraphs: tuple[AdParagraph, ...]
    #: whether HR has saved it; a new ad is prefilled from the vacancy and the bank
    saved: bool

    @property
    def missing(self) -> list[Expectation]:
        return [paragraph.expectation for paragraph in self.paragraphs if paragraph.missing]


def _saved_ad(vacancy: Vacancy, language: Language) -> VacancyAd | None:
    return db.session.scalar(
        select(VacancyAd)
        .where(VacancyAd.vacancy_id == vacancy.id, VacancyAd.language == language)
        .options(selectinload(VacancyAd.paragraphs).joinedload(VacancyAdParagraph.phrase))
    )


def ad_of(vacancy: Vacancy, language: Language) -> Ad:
    """The vacancy's ad in the language: as HR saved it, or prefilled from the vacancy and the bank."""
    saved = _saved_ad(vacancy, language)
    chosen = {row.expectation_id: row for row in saved.paragraphs} if saved else {}
    offered = entries_of(BankKind.PHRASE, [weight.expectation_id for weight in vacancy.weights], language)
    paragraphs = []
    for weight in vacancy.weights:
        phrases = offered[weight.expectation_id]
        row = chosen.get(weight.expectation_id)
        phrase = row.phrase if row is not None else (phrases[0] if phrases else None)
        listed = [*phrases, phrase] if phrase is not None and phrase not in phrases else phrases
        paragraphs.append(
            AdParagraph(
                expectation=weight.expectation,
                weight=weight.weight,
                offered=tuple(listed),
                phrase=phrase,
                own_text=row.own_text if row is not None else None,
            )
        )
    return Ad(
        vacancy=vacancy,
        language=language,
        unit_text=saved.unit_text if saved else vacancy.unit_text,
        role_text=saved.role_text if saved else vacancy.role_text,
        paragraphs=tuple(paragraphs),
        saved=saved is not None,
    )


def _paragraph_row(paragraph: AdParagraph, choice: ParagraphChoice | None) -> VacancyAdParagraph | None:
    expectation_id = paragraph.expectation.id
    if choice is None or (choice.phrase_id is None and choice.own_text is None):
        # Nothing chosen: the prefilled phrase, if the bank has one.
        phrase = paragraph.phrase if paragraph.own_text is None else None
        return VacancyAdParagraph(expectation_id=expectation_id, phrase=phrase) if phrase else None
    if choice.own_text is not None:
        text = choice.own_text.strip()
        if not text:
            raise AdError(
                "own_text", _l("Write the paragraph, or choose a phrase of the bank."), expectation_id
            )
        if len(text) > PARAGRAPH_MAX_LENGTH:
            raise AdError(
                "own_text", _l("At most %(num)d characters.", num=PARAGRAPH_MAX_LENGTH), expectation_id
            )
        return VacancyAdParagraph(expectation_id=expectation_id, own_text=text)
    phrase = next((entry for entry in paragraph.offered if entry.id == choice.phrase_id), None)
    if phrase is None:
        raise AdError("phrase", _l("Choose one of the phrases offered."), expectation_id)
    return VacancyAdParagraph(expectation_id=expectation_id, phrase=phrase)


def save_ad(
    vacancy: Vacancy,
    language: Language,
    *,
    unit_text: str,
    role_text: str,
    choices: Mapping[int, ParagraphChoice],
) -> VacancyAd:
    """Save the ad's blocks in the language; `choices` holds each weighed expectation's paragraph by id."""
    _refuse_when_over(vacancy)
    for name, value in (("unit_text", unit_text), ("role_text", role_text)):
        if len(value.strip()) > TEXT_MAX_LENGTH:
            raise AdError(name, _l("At most %(num)d characters.", num=TEXT_MAX_LENGTH))
    current = ad_of(vacancy, language)
    rows = [
        row
        for paragraph in current.paragraphs
        if (row := _paragraph_row(paragraph, choices.get(paragraph.expectation.id))) is not None
    ]
    ad = _saved_ad(vacancy, language) or VacancyAd(vacancy=vacancy, language=language, paragraphs=[])
    if ad.id is None:
        db.session.add(ad)
    ad.unit_text = unit_text.strip()
    ad.role_text = role_text.strip()
    kept = {row.expectation_id: row for row in ad.paragraphs}
    for row in rows:
        old = kept.get(row.expectation_id)
        if old is not None:
            old.phrase, old.own_text = row.phrase, row.own_text
    ad.paragraphs = [kept.get(row.expectation_id, row) for row in rows]
    db.session.flush()
    logger.info("vacancy %s: the ad in %s is saved", vacancy.id, language.value)
    return ad


def _text(obj: object, name: str, language: Language) -> str:
    return str(getattr(obj, f"{name}_{language.value}"))


def ad_material(ad: Ad, platform: Platform | None) -> Material:
    """The ad as a document in its own language: the blocks that have words, in the ad's order."""
    language = ad.language
    vacancy = ad.vacancy
    with force_locale(BABEL_LOCALES[language.value]):
        sections = []
        if ad.unit_text.strip():
            sections.append(Section(_("About us"), paragraphs_of(ad.unit_text)))
        if ad.role_text.strip():
            sections.append(Section(_("About the role"), paragraphs_of(ad.role_text)))
        expected = tuple(paragraph.text for paragraph in ad.paragraphs if not paragraph.missing)
        if expected:
            sections.append(Section(_("What we expect of you"), expected))
        if platform is not None:
            sections.append(Section(_("Our promise to you"), (_text(platform, "promise", language),)))
            values = " – ".join(value[language.value] for value in platform.values)
            sections.append(
                Section(
                    _text(platform, "whole", language),
                    (f"{_text(platform, 'purpose', language)} {values}.",),
                )
            )
        if vacancy.closes_on is not None:
            sections.append(
                Section(
                    _("Apply"),
                    (_("Last day to apply: %(date)s.", date=format_date(vacancy.closes_on, "long")),),
                )
            )
        where = [_text(platform, "municipality", language)] if platform is not None else []
        subtitle = " · ".join([*where, vacancy.org_unit.name])
    return Material(language=language, title=vacancy.title, subtitle=subtitle, sections=tuple(sections))
