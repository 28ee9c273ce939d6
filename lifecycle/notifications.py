"""E-mails: rendering (plain text and HTML, in the recipient's language) and handing them to SMTP."""

from __future__ import annotations

import contextlib
import os
import smtplib
import threading
import time
import traceback
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask import render_template
from flask_babel import force_locale
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_mailman import EmailMultiAlternatives

from lifecycle.enums import ReminderOccurrence
from lifecycle.extensions import mail
from lifecycle.i18n import BABEL_LOCALES
from lifecycle.timeutil import local_today

if TYPE_CHECKING:
    from lifecycle.models import User
    from lifecycle.services.reminders import Delivery
    from lifecycle.services.reminders import ItemSummary
    from lifecycle.services.reminders import Recipient

#: set on a copy that may be the second of the same e-mail (see README, "Reminders")
POSSIBLE_DUPLICATE_HEADER = "X-Chefsresan-Possible-Duplicate"


class SendFailure(Exception):
    """Sending failed; `reached_server` tells whether the SMTP connection stood when it did."""

    def __init__(self, error: BaseException, reached_server: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.reached_server = reached_server


def recipient_locale(user: Recipient | User) -> str:
    """Return the Babel locale to write to the user in: their chosen language, else the app's default."""
    language = user.language.value if user.language else current_app.config["BABEL_DEFAULT_LOCALE"]
    return BABEL_LOCALES.get(language, "sv")


def external_url(endpoint: str, values: dict[str, Any] | None = None, anchor: str = "") -> str:
    """Return the absolute address of a page on the public address (BASE_URL), outside any request."""
    base = urlsplit(current_app.config.get("BASE_URL") or "http://localhost")
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    url = adapter.build(endpoint, values or {}, force_external=True)
    return f"{url}#{anchor}" if anchor else url


def _is_late(item: ItemSummary) -> bool:
    """Whether the on-the-day reminder goes out after the day (the item was already late when computed)."""
    return item.due_on < local_today()


def render_email(template: str, subject: str, to: str, **context: Any) -> EmailMultiAlternatives:
    """Render `emails/<template>.txt` and `.html` (in the current locale) into one auto-generated e-mail."""
    text = render_template(f"emails/{template}.txt", **context)
    html = render_template(f"emails/{template}.html", subject=subject, **context)
    # Auto-Submitted tells vacation responders and ticket systems not to answer (RFC 3834).
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], headers={"Auto-Submitted": "auto-generated"}
    )
    message.attach_alternative(html, "text/html")
    return message


def _moment(item: ItemSummary) -> str:
    """Which of an item's wordings applies: "before" the day, "due" on it, or "overdue" after it."""
    if item.occurrence is ReminderOccurrence.BEFORE:
        return "before"
    if item.occurrence is ReminderOccurrence.DUE and not _is_late(item):
        return "due"
    return "overdue"


def _own_words(item: ItemSummary, text: Any) -> str:
    """The item's kind's own text (`sources.Wording`), translated here, with the item's values."""
    return str(text) % {
        "title": item.title,
        "name": item.subject_name,
        "date": format_date(item.due_on, "long"),
    }


def _line(item: ItemSummary) -> Any:
    if item.wording is not None:
        return _own_words(item, getattr(item.wording, _moment(item)))
    when = format_date(item.due_on, "long")
    if item.occurrence is ReminderOccurrence.BEFORE:
        return _(
            "%(title)s for %(name)s is coming up on %(date)s.",
            title=item.title,
            name=item.subject_name,
            date=when,
        )
    if item.occurrence is ReminderOccurrence.DUE and not _is_late(item):
        return _(
            "%(title)s for %(name)s is due on %(date)s.", title=item.title, name=item.subject_name, date=when
        )
    return _(
        "%(title)s for %(name)s was due on %(date)s and is not marked as done.",
        title=item.title,
        name=item.subject_name,
        date=when,
    )


def _subject(items: list[ItemSummary], digest: bool) -> Any:
    if digest or len(items) != 1:
        return ngettext(
            "Chefsresan: %(num)s reminder for today", "Chefsresan: %(num)s reminders for today", len(items)
        )
    item = items[0]
    if item.wording is not None:
        return _own_words(item, getattr(item.wording, f"subject_{_moment(item)}"))
    when = format_date(item.due_on, "long")
    if item.occurrence is ReminderOccurrence.BEFORE:
        return _("Reminder: %(title)s on %(date)s", title=item.title, date=when)
    if item.occurrence is ReminderOccurrence.DUE and not _is_late(item):
        return _("Due %(date)s: %(title)s", title=item.title, date=when)
    return _("Overdue: %(title)s (%(name)s)", title=item.title, name=item.subject_name)


def _context(delivery: Delivery, digest: bool) -> dict[str, Any]:
    lines = [
        {
            "text": str(_line(item)),
            "url": external_url(item.endpoint, item.values),
            "escalation": item.occurrence is ReminderOccurrence.ESCALATION,
        }
        for item in delivery.items
    ]
    return {
        "recipient": delivery.recipient,
        "lines": lines,
        "digest": digest,
        "has_escalation": any(line["escalation"] for line in lines),
        "settings_url": external_url("account.settings", anchor="reminders"),
    }


def render_reminder_email(delivery: Delivery) -> EmailMultiAlternatives:
    """Render a reminder (or a digest of several) for its recipient, with its stable Message-ID."""
    digest = bool(delivery.recipient.wants_digest) or len(delivery.items) != 1
    # In the recipient's language: a worker has an application context but no request.
    with force_locale(recipient_locale(delivery.recipient)):
        context = _context(delivery, digest)
        subject = str(_subject(delivery.items, digest))
        text = render_template("emails/reminder.txt", **context)
        html = render_template("emails/reminder.html", subject=subject, **context)
    headers = {
        "Message-ID": delivery.message_id,
        # Tells vacation responders and ticket systems not to answer (RFC 3834).
        "Auto-Submitted": "auto-generated",
    }
    if delivery.possible_duplicate:
        headers[POSSIBLE_DUPLICATE_HEADER] = "yes"
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ").strip(),
        body=text,
        to=[delivery.recipient.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


class _SmtpConnection(threading.local):
    """One SMTP connection per worker process (and thread), reused from one e-mail to the next."""

    backend: Any = None
    key: tuple[Any, ...] = ()
    pid: int = 0
    sent: int = 0
    last_used: float = 0.0


_smtp = _SmtpConnection()
#: a connection idle longer than this is checked with NOOP before it is used again
SMTP_IDLE_CHECK_SECONDS = 10.0
#: after this many e-mails the connection is closed and a new one opened
SMTP_MESSAGES_PER_CONNECTION = 100


def _drop_smtp_connection() -> None:
    backend, _smtp.backend = _smtp.backend, None
    if backend is not None:
        with contextlib.suppress(Exception):
            backend.close()


def _smtp_connection() -> Any:
    """Return an open SMTP connection for this process, opening one when needed."""
    config = current_app.config
    key = (config.get("MAIL_SERVER"), config.get("MAIL_PORT"), config.get("MAIL_USERNAME"))
    if _smtp.backend is not None and (_smtp.pid != os.getpid() or _smtp.key != key):
        _smtp.backend = None  # inherited through fork or configured differently: never share it
    if _smtp.backend is not None:
        if _smtp.sent >= SMTP_MESSAGES_PER_CONNECTION:
            _drop_smtp_connection()
        elif time.monotonic() - _smtp.last_used > SMTP_IDLE_CHECK_SECONDS:
            try:
                code, _text = _smtp.backend.connection.noop()
                if code != 250:
                    raise OSError(f"NOOP answered {code}")
            except Exception:
                _drop_smtp_connection()
    if _smtp.backend is None:
        backend = mail.get_connection(fail_silently=False)
        try:
            backend.open()
        except Exception as exc:
            raise SendFailure(exc, reached_server=False) from exc
        _smtp.backend, _smtp.key, _smtp.pid, _smtp.sent = backend, key, os.getpid(), 0
    return _smtp.backend


def send(message: EmailMultiAlternatives) -> None:
    """Hand one message to the configured mail backend; raise `SendFailure` saying how far it got.

    Over SMTP the connection stays open for the next e-mail of this process; any error closes it.
    """
    if current_app.config.get("MAIL_BACKEND") != "smtp":
        _send_once(message)
        return
    backend = _smtp_connection()
    try:
        backend.send_messages([message])
    except Exception as exc:
        _drop_smtp_connection()
        raise SendFailure(exc, reached_server=True) from exc
    _smtp.sent += 1
    _smtp.last_used = time.monotonic()


def _send_once(message: EmailMultiAlternatives) -> None:
    """Send through a backend opened for this message alone (the console, file and test backends)."""
    connection = mail.get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:
        raise SendFailure(exc, reached_server=False) from exc
    try:
        connection.send_messages([message])
    except Exception as exc:
        raise SendFailure(exc, reached_server=True) from exc
    finally:
        # The message is either accepted or not by now; a failing QUIT changes nothing about it.
        with contextlib.suppress(Exception):
            connection.close()


def describe_failure(exc: BaseException) -> str:
    """Say why sending failed, as HR sees it: the SMTP reply, else the error's type and text."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"SMTP {exc.smtp_code}: {text}"[:2000]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [
            f"{addr}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for addr, (code, msg) in exc.recipients.items()
        ]
        return ("SMTP " + "; ".join(parts))[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def failure_summary(error: BaseException) -> str:
    """Describe an exception chain by type, SMTP reply code and place in the code; never its text."""
    parts = []
    seen: set[int] = set()
    current_error: BaseException | None = error
    while current_error is not None and id(current_error) not in seen:
        seen.add(id(current_error))
        described = type(current_error).__name__
        code = getattr(current_error, "smtp_code", None)
        if isinstance(code, int):
            described += f" {code}"
        frames = traceback.extract_tb(current_error.__traceback__)
        if frames:
            described += f" at {frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}"
        parts.append(described)
        current_error = current_error.__cause__ or current_error.__context__
    return ", caused by ".join(parts)
