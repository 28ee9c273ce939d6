"""Password rules: long enough, not one of the passwords everyone tries first."""

from __future__ import annotations

from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 1024

#: passwords attackers try first (international lists, and Swedish favourites); compared case-insensitively
COMMON_PASSWORDS = frozenset(
    (
        "123456789012",
        "1234567890123",
        "password1234",
        "password12345",
        "passw0rd1234",
        "qwertyuiop12",
        "qwerty123456",
        "iloveyou1234",
        "welcome12345",
        "letmein12345",
        "administrator",
        "admin1234567",
        "changeme1234",
        "abc123456789",
        "111111111111",
        "000000000000",
        "123123123123",
        "987654321098",
        "qwertyqwerty",
        "asdfghjkl123",
        "zxcvbnm12345",
        "lösenord1234",
        "losenord1234",
        "lösenordet12",
        "sommar202020",
        "sommaren2024",
        "sommaren2025",
        "sommaren2026",
        "vinter123456",
        "varen1234567",
        "hösten123456",
        "sverige12345",
        "sverige1234!",
        "stockholm123",
        "göteborg1234",
        "malmö1234567",
        "örebro123456",
        "orebro123456",
        "kommunen1234",
        "kommun123456",
        "välkommen123",
        "valkommen123",
        "chefsresan12",
        "chefsresan123",
        "ledarskap123",
        "hemligt12345",
        "hemlighet123",
        "fotboll12345",
        "hockey123456",
    )
)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return why the password is not acceptable, or None when it is."""
    if len(password) < MIN_LENGTH:
        return str(_("Choose a password of at least %(count)s characters.", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_("The password is too long."))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return str(_("That password is among the first ones an attacker tries. Choose another."))
    personal = [part for part in [email.split("@")[0].lower(), *name.lower().split()] if len(part) >= 4]
    if any(part in lowered for part in personal):
        return str(_("The password must not contain your name or e-mail address."))
    return None
