"""Swedish first, English complete: every string in the code has a Swedish translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import REPO_ROOT

SV_CATALOG = REPO_ROOT / "lifecycle" / "translations" / "sv" / "LC_MESSAGES" / "messages.po"


def test_every_message_in_the_code_has_a_swedish_translation(tmp_path: Path) -> None:
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
            "--no-location",
            "-o",
            str(template),
            "lifecycle",
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as handle:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
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
