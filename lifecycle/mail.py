"""The development mail backend: every e-mail goes to the console and to a file under instance/."""

from __future__ import annotations

import sys
from typing import Any

from flask_mailman.backends.file import EmailBackend as FileBackend


class ConsoleAndFileEmailBackend(FileBackend):  # type: ignore[misc]
    """Write each message to a file in MAIL_FILE_PATH and echo it to standard output."""

    def write_message(self, message: Any) -> None:
        super().write_message(message)
        sys.stdout.write(message.message().as_string() + "\n" + "-" * 79 + "\n")
        sys.stdout.flush()
