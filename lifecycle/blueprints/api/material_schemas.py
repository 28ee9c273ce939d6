"""The API's recruitment materials, declared once: the banks' entries, a vacancy's ad and its guide."""

from __future__ import annotations

from typing import Annotated
from typing import Any

from flask_babel import gettext as _
from pydantic import Field
from werkzeug.datastructures import MultiDict

from lifecycle import models
from lifecycle.blueprints.api.contract import FieldError
from lifecycle.blueprints.api.contract import Id
from lifecycle.blueprints.api.contract import Out
from lifecycle.blueprints.api.contract import clean_text
from lifecycle.blueprints.api.contract import one_of
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.schemas import QueryParameter
from lifecycle.enums import Language
from lifecycle.models.recruitment_banks import BankKind
from lifecycle.services.recruitment.ads import Ad
from lifecycle.services.recruitment.documents import Material
from lifecycle.services.recruitment.documents import Section
from lifecycle.services.recruitment.documents import plain_text
from lifecycle.services.recruitment.guides import Guide

KIND = one_of(BankKind, "phrase: the ad's phrase bank; question: the interview's question bank.")
LANGUAGE = one_of(Language)

BANK_QUERY_PARAMETERS = (
    QueryParameter("kind", KIND.schema, "Only this bank."),
    QueryParameter("expectation", {"type": "string", "maxLength": 120}, "Only this expectation's entries."),
    QueryParameter("language", LANGUAGE.schema, "Only entries in this language."),
)
MATERIAL_QUERY_PARAMETERS = (
    QueryParameter("language", LANGUAGE.schema, "The document's language. Default: the caller's."),
)


def _kind(args: MultiDict[str, str]) -> BankKind | None:
    raw = args.get("kind")
    return KIND.parse(raw) if raw else None


def _language(args: MultiDict[str, str]) -> Language | None:
    raw = args.get("language")
    return LANGUAGE.parse(raw) if raw else None


def _expectation(args: MultiDict[str, str]) -> str | None:
    return clean_text(args.get("expectation", ""), 120, required=False) or None


def parse_bank_query(args: MultiDict[str, str]) -> tuple[BankKind | None, str | None, Language | None]:
    """Read the bank list's filters (kind, expectation, language); refuse bad values with 400."""
    errors: dict[str, list[str]] = {}
    kind = expectation = language = None
    try:
        kind = _kind(args)
    except FieldError as exc:
        errors["kind"] = [str(exc)]
    try:
        expectation = _expectation(args)
    except FieldError as exc:
        errors["expectation"] = [str(exc)]
    try:
        language = _language(args)
    except FieldError as exc:
        errors["language"] = [str(exc)]
    if errors:
        raise ApiError(400, _("Some parameters are not valid."), fields=errors)
    return kind, expectation, language


def parse_language(args: MultiDict[str, str], default: Language) -> Language:
    """The `language` asked for, or `default`; an unknown one is a 400."""
    try:
        return _language(args) or default
    except FieldError as exc:
        raise ApiError(400, _("Some parameters are not valid."), fields={"language": [str(exc)]}) from exc


class BankEntry(Out):
    """An ad phrase or interview question of the banks HR maintains."""

    id: Id
    kind: Annotated[str, Field(description="phrase or question")]
    expectation: Annotated[str, Field(description="The expectation's key.")]
    language: Annotated[str, Field(description="sv or en")]
    text: str
    position: Annotated[int, Field(description="Its place in its bank; lower comes first.")]
    retired: bool
    from_platform_file: Annotated[bool, Field(description="Seeded by the platform file (else HR's own).")]

    @classmethod
    def of(cls, entry: models.BankEntry) -> BankEntry:
        return cls(
            id=entry.id,
            kind=entry.kind.value,
            expectation=entry.expectation.key,
            language=entry.language.value,
            text=entry.text,
            position=entry.position,
            retired=entry.is_retired,
            from_platform_file=entry.seed_number is not None,
        )


class Block(Out):
    """A section of a document: a heading, its paragraphs, and a numbered list."""

    heading: str
    paragraphs: list[str]
    items: list[str]

    @classmethod
    def of(cls, section: Section) -> Block:
        return cls(heading=section.heading, paragraphs=list(section.paragraphs), items=list(section.items))


class _Document(Out):
    title: str
    subtitle: str
    blocks: list[Block]
    text: Annotated[str, Field(description="The whole document as plain text.")]

    @staticmethod
    def parts(material: Material) -> dict[str, Any]:
        return {
            "title": material.title,
            "subtitle": material.subtitle,
            "blocks": [Block.of(section) for section in material.sections],
            "text": plain_text(material),
        }


class AdParagraph(Out):
    expectation: Annotated[str, Field(description="The weighed expectation's key.")]
    weight: int
    phrase_id: Annotated[int | None, Field(description="The bank's phrase chosen; null for HR's own words.")]
    text: str
    missing: Annotated[
        bool, Field(description="The bank has no phrase yet in this language, and HR wrote none.")
    ]


class VacancyAd(_Document):
    """A vacancy's job ad in one language: its editable blocks, and the document they make."""

    vacancy_id: Id
    language: str
    saved: Annotated[bool, Field(description="False: prefilled from the vacancy and the phrase bank.")]
    unit_text: str
    role_text: str
    paragraphs: list[AdParagraph]

    @classmethod
    def of(cls, ad: Ad, material: Material) -> VacancyAd:
        return cls(
            vacancy_id=ad.vacancy.id,
            language=ad.language.value,
            saved=ad.saved,
            unit_text=ad.unit_text,
            role_text=ad.role_text,
            paragraphs=[
                AdParagraph(
                    expectation=p.expectation.key,
                    weight=p.weight,
                    phrase_id=p.phrase.id if p.phrase is not None and p.own_text is None else None,
                    text=p.text,
                    missing=p.missing,
                )
                for p in ad.paragraphs
            ],
            **cls.parts(material),
        )


class GuideQuestion(Out):
    id: Id
    text: str


class GuideSection(Out):
    expectation: str
    weight: int
    questions: list[GuideQuestion]
    missing: Annotated[bool, Field(description="The question bank has no question yet in this language.")]


class InterviewGuide(_Document):
    """A vacancy's interview guide in one language, in interview order."""

    vacancy_id: Id
    language: str
    sections: list[GuideSection]

    @classmethod
    def of(cls, guide: Guide, material: Material) -> InterviewGuide:
        return cls(
            vacancy_id=guide.vacancy.id,
            language=guide.language.value,
            sections=[
                GuideSection(
                    expectation=s.expectation.key,
                    weight=s.weight,
                    questions=[GuideQuestion(id=q.id, text=q.text) for q in s.questions],
                    missing=not s.questions,
                )
                for s in guide.sections
            ],
            **cls.parts(material),
        )
