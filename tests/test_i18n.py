"""Swedish first, English complete: every string in the code has a Swedish translation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from tests.conftest import REPO_ROOT

SV_CATALOG = REPO_ROOT / "lifecycle" / "translations" / "sv" / "LC_MESSAGES" / "messages.po"


def extract(tmp_path: Path) -> Catalog:
    """Extract every message of the code as `make extract-messages` does, with where it stands."""
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            # stored messages translated when shown (lifecycle/i18n_messages.py), as in the Makefile
            "-k",
            "deferred",
            "-k",
            "deferred_plural:1,2",
            "-o",
            str(template),
            "lifecycle",
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as handle:
        return read_po(handle)


def test_every_message_in_the_code_has_a_swedish_translation(tmp_path: Path) -> None:
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in extract(tmp_path) if m.id}
    with SV_CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="sv")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id
        and m.string
        and "fuzzy" not in m.flags
        and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(extracted - translated)
    assert not missing, f"run `make extract-messages` and translate these in {SV_CATALOG}: {missing}"


def test_the_plain_text_e_mails_strings_are_extracted_for_translation(tmp_path: Path) -> None:
    catalog = extract(tmp_path)
    text_templates = sorted((REPO_ROOT / "lifecycle" / "templates" / "emails").glob("*.txt"))
    assert text_templates
    for text_template in text_templates:
        relative = text_template.relative_to(REPO_ROOT).as_posix()
        from_text = {
            m.id
            for m in catalog
            if isinstance(m.id, str) and any(path == relative for path, _line in m.locations)
        }
        written = set(re.findall(r'_\("([^"]+)"', text_template.read_text(encoding="utf-8")))
        assert written, f"{relative} has no translatable text"
        assert from_text == written, relative
