"""HTTP security headers on every response."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import current_app
from flask import request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

#: responses that may hold personal data; downloads (CSV, Excel, calendar) set the header themselves
PERSONAL_MIMETYPES = frozenset({"text/html", "application/json"})


def set_security_headers(response: Response) -> Response:
    """Add CSP (no inline script), nosniff, framing and referrer rules, and HSTS in production."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.mimetype in PERSONAL_MIMETYPES and "Cache-Control" not in headers:
        # Pages and API answers may hold personal data: never keep them in a shared or browser cache.
        headers["Cache-Control"] = "no-store"
    return response


def refuse_nul_characters() -> None:
    """Answer 400 to a query string, form or file name holding a NUL character.

    No person types one, and databases refuse it in text: letting it through would end in an error
    deep down instead of a clear answer here.
    """
    if request.blueprint == "api":  # the API checks its input itself and names the bad parameter
        return
    fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    names = [upload.filename or "" for upload in request.files.values()]
    if any("\x00" in key or "\x00" in value for key, value in fields) or any("\x00" in n for n in names):
        abort(400)
