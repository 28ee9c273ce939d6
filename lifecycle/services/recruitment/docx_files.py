"""Writing a recruitment document (the ad, the interview guide) as a Word file with python-docx."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt

from lifecycle.services.recruitment.documents import Material

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: empty lines left under a section for the interviewer's notes
NOTE_LINES = 4


def docx_of(material: Material) -> bytes:
    """Return the document as the bytes of a .docx file, in the material's language."""
    document = Document()
    document.core_properties.title = material.title
    document.core_properties.language = material.language.value
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(material.title, level=0)
    if material.subtitle:
        document.add_paragraph(material.subtitle, style="Subtitle")
    for section in material.sections:
        document.add_heading(section.heading, level=1)
        for text in section.paragraphs:
            document.add_paragraph(text)
        for item in section.items:
            document.add_paragraph(item, style="List Number")
        if section.notes:
            document.add_paragraph(material.notes_label, style="Heading 3")
            for _line in range(NOTE_LINES):
                document.add_paragraph("")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
