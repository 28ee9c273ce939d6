"""Password rules: long enough, not one of the passwords everyone tries first."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 1024

#: passwords attackers try first: 10 000 from breached data and Swedish favourites, one a line
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"
#: what is stripped from both ends of a password to find the word it is built on ("Sommar2026!")
_DECORATION = string.digits + string.punctuation + string.whitespace + "§½¤"


@cache
def common_passwords() -> frozenset[str]:
    """Return the list of common passwords, lower-case; read once, the first time a password is checked."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """Whether the password, or the word it is built on with digits and signs around it, is a common one.

    "Sommaren2026!", "dragon123456" and "!!football2024" are all a common word dressed up: an attacker's
    list tries those variations first.
    """
    lowered = password.lower()
    listed = common_passwords()
    if lowered in listed:
        return True
    core = lowered.strip(_DECORATION)
    return len(core) >= 4 and core in listed


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return why the password is not acceptable, or None when it is."""
    if len(password) < MIN_LENGTH:
        return str(_("Choose a password of at least %(count)s characters.", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_("The password is too long."))
    lowered = password.lower()
    if is_common(password) or len(set(lowered)) < 4:
        return str(_("That password is among the first ones an attacker tries. Choose another."))
    personal = [part for part in [email.split("@")[0].lower(), *name.lower().split()] if len(part) >= 4]
    if any(part in lowered for part in personal):
        return str(_("The password must not contain your name or e-mail address."))
    return None
