"""The plain-text reminder e-mail is translated like the HTML one: its strings reach the catalogue."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import REPO_ROOT

TEXT_TEMPLATE = "lifecycle/templates/emails/reminder.txt"


def test_the_plain_text_e_mails_strings_are_extracted_for_translation(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(template),
            "lifecycle",
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as handle:
        from_text = {
            m.id
            for m in read_po(handle)
            if isinstance(m.id, str) and any(path == TEXT_TEMPLATE for path, _line in m.locations)
        }
    written = set(re.findall(r'_\("([^"]+)"', (REPO_ROOT / TEXT_TEMPLATE).read_text(encoding="utf-8")))
    assert written, "the template has no translatable text"
    assert from_text == written
