"""The interview guide of a vacancy: behaviour-based questions from the bank, per weighed expectation.

The guide follows the vacancy's order of expectations (the heaviest first), which is the order of the
interview; each expectation brings the question bank's current questions in the guide's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from lifecycle.enums import Language
from lifecycle.i18n import BABEL_LOCALES
from lifecycle.models import BankEntry
from lifecycle.models import Expectation
from lifecycle.models import Vacancy
from lifecycle.models.recruitment_banks import BankKind
from lifecycle.services.recruitment.banks import entries_of
from lifecycle.services.recruitment.documents import Material
from lifecycle.services.recruitment.documents import Section


@dataclass(frozen=True)
class GuideSection:
    """One weighed expectation of the interview and the questions the bank proposes for it."""

    expectation: Expectation
    weight: int
    questions: tuple[BankEntry, ...]


@dataclass(frozen=True)
class Guide:
    vacancy: Vacancy
    language: Language
    sections: tuple[GuideSection, ...]

    @property
    def missing(self) -> list[Expectation]:
        return [section.expectation for section in self.sections if not section.questions]


def guide_of(vacancy: Vacancy, language: Language) -> Guide:
    """The vacancy's interview guide in the language, in the vacancy's order of expectations."""
    questions = entries_of(BankKind.QUESTION, [w.expectation_id for w in vacancy.weights], language)
    return Guide(
        vacancy=vacancy,
        language=language,
        sections=tuple(
            GuideSection(weight.expectation, weight.weight, tuple(questions[weight.expectation_id]))
            for weight in vacancy.weights
        ),
    )


def expectation_heading(expectation: Expectation, language: Language) -> str:
    """The expectation's words as a heading: "Styra och påverka"."""
    text = str(getattr(expectation, f"text_{language.value}"))
    return text[:1].upper() + text[1:]


def guide_material(guide: Guide) -> Material:
    """The guide as a document in its own language, with room for notes under each expectation."""
    language = guide.language
    with force_locale(BABEL_LOCALES[language.value]):
        sections = [
            Section(
                _("Before you start"),
                (
                    _(
                        "The questions follow the expectations this post weighs, the heaviest first. "
                        "Ask for a real situation, then what the candidate did, why, and what came of it."
                    ),
                    _("Follow up: How did you do it? What did you learn? What would you do differently?"),
                ),
            )
        ]
        for number, section in enumerate(guide.sections, start=1):
            pillar = str(getattr(section.expectation.pillar, f"name_{language.value}"))
            about = _("%(pillar)s · weight %(weight)d of 3", pillar=pillar, weight=section.weight)
            lines: tuple[str, ...] = (about,)
            if not section.questions:
                lines += (_("The question bank has no question for this expectation yet."),)
            sections.append(
                Section(
                    f"{number}. {expectation_heading(section.expectation, language)}",
                    lines,
                    items=tuple(question.text for question in section.questions),
                    notes=True,
                )
            )
        sections.append(
            Section(
                _("Ending the interview"),
                (
                    _(
                        "Ask what the candidate wants to know about the post and the workplace, and tell "
                        "them what happens next and when."
                    ),
                ),
            )
        )
        title = _("Interview guide: %(title)s", title=guide.vacancy.title)
        notes = _("Notes")
    return Material(
        language=language,
        title=title,
        subtitle=guide.vacancy.org_unit.name,
        sections=tuple(sections),
        notes_label=notes,
    )
