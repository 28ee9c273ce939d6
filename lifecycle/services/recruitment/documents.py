"""The recruitment's documents as plain data: the ad and the interview guide, ready to show or write.

A `Material` is what both builders produce; the pages render it as HTML, `plain_text()` as the text to
paste into a job board, and `docx_files.docx_of()` as a Word document. None of them knows the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from lifecycle.enums import Language


def paragraphs_of(text: str) -> tuple[str, ...]:
    """HR's free text as paragraphs: one per non-empty line."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@dataclass(frozen=True)
class Section:
    """A heading and what stands under it: paragraphs, then a numbered list."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    #: a numbered list (the guide's questions)
    items: tuple[str, ...] = ()
    #: leave room for the interviewer's notes
    notes: bool = False


@dataclass(frozen=True)
class Material:
    """A document in one language: a title, a line under it, and its sections."""

    language: Language
    title: str
    subtitle: str = ""
    sections: tuple[Section, ...] = field(default_factory=tuple)
    #: the label of the notes room, in the document's language
    notes_label: str = ""


def plain_text(material: Material) -> str:
    """The document as plain text: headings on their own line, a blank line between blocks."""
    blocks = [material.title]
    if material.subtitle:
        blocks.append(material.subtitle)
    for section in material.sections:
        lines = [section.heading, *section.paragraphs]
        lines += [f"{number}. {item}" for number, item in enumerate(section.items, start=1)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
