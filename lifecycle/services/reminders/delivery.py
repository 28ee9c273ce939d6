"""Delivering: a send task takes the claimed rows of a few e-mails, marks each e-mail just before SMTP
and records it sent.

The one window where an e-mail may go out twice: the SMTP server accepted it but the "sent" commit did
not happen (the worker died). Before talking to SMTP a send stores the row's Message-ID (the marker);
a row that still has its marker when it is taken again (reclaimed after its lease, or its task given
back by Celery after a pool process died) is re-sent once, flagged `possible_duplicate` and with the
same Message-ID; if that happens a second time the row is parked as failed instead of sent a third time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import cast

from flask import current_app
from sqlalchemy import ColumnElement
from sqlalchemy import Table
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy import update

from lifecycle.db import utcnow
from lifecycle.enums import Language
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.models import User
from lifecycle.services.reminders.claiming import Claim
from lifecycle.services.reminders.items import SOURCES
from lifecycle.services.reminders.items import item_ids
from lifecycle.services.reminders.items import load_facts
from lifecycle.services.reminders.items import summarise
from lifecycle.services.reminders.items import wanted_rows
from lifecycle.services.reminders.outbox import NO_ADDRESS
from lifecycle.services.reminders.outbox import OUTBOX
from lifecycle.services.reminders.outbox import UNCERTAIN
from lifecycle.services.reminders.outbox import DeliverySettings
from lifecycle.services.reminders.outbox import finish
from lifecycle.services.reminders.outbox import status_is
from lifecycle.services.reminders.sources import ItemSummary

logger = logging.getLogger(__name__)

#: the recipients' table, read on the send path like `OUTBOX` (without the ORM's per-statement work)
_U = cast(Table, User.__table__)


@dataclass
class Delivery:
    """One e-mail about to be sent: the rows it covers (each with its attempt) and the rendered message."""

    claims: list[Claim]
    recipient: Recipient
    message_id: str
    items: list[ItemSummary]
    possible_duplicate: bool
    message: Any = None


def message_id_for(reminder_ids: Sequence[int]) -> str:
    """Return the stable Message-ID of the e-mail carrying these rows: the same on every re-send."""
    base = current_app.config.get("BASE_URL") or "http://localhost"
    host = base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    first = min(reminder_ids)
    name = f"reminder-{first}" if len(reminder_ids) == 1 else f"reminder-digest-{first}"
    return f"<{name}@chefsresan.{host}>"


def owned_by(claims: Sequence[Claim]) -> ColumnElement[bool]:
    """Rows still sending under these very attempts: anything else belongs to a later claim."""
    # One row-value IN, whatever the number of claims: one cached statement shape, not an OR of
    # conditions that grows with the claims.
    return and_(
        tuple_(OUTBOX.c.id, OUTBOX.c.attempts).in_([(c.reminder_id, c.attempt) for c in claims]),
        status_is(ReminderStatus.SENDING),
    )


# The two statements every e-mail runs, built once with parameters: building a statement costs more
# than running it on the database. "owned" takes the (id, attempt) pairs of `owned_by`.
_OWNED = and_(
    tuple_(OUTBOX.c.id, OUTBOX.c.attempts).in_(bindparam("owned", expanding=True)),
    status_is(ReminderStatus.SENDING),
)
# Taking also requires the row to be unmarked. Ownership is (id, attempt) while `sending`, and HR's
# "send again" starts the count at 0 again, so a very late copy of a task from before the resend presents
# the same (id, 1) as the new claim. Whoever marks the rows first sends; the other finds them marked and
# does not send (or, if it read them marked, re-sends once, flagged, like any task given back after SMTP).
# A task given back after SMTP, and the dispatcher taking a row back, clear the marker when they flag it.
_TAKE = (
    update(OUTBOX)
    .where(_OWNED, OUTBOX.c.message_id.is_(None))
    .values(message_id=bindparam("marker"), lease_until=bindparam("lease"))
    .returning(OUTBOX.c.id)
)
# Undoes a partial take: only the rows this very take marked.
_UNTAKE = (
    update(OUTBOX)
    .where(OUTBOX.c.id.in_(bindparam("ids", expanding=True)), OUTBOX.c.message_id == bindparam("marker"))
    .values(message_id=None)
)
_RENEW = update(OUTBOX).where(_OWNED).values(lease_until=bindparam("lease"))
_SENT = (
    update(OUTBOX)
    .where(_OWNED)
    .values(status=ReminderStatus.SENT, sent_at=bindparam("at"), lease_until=None, last_error=None)
)


def _owned_pairs(claims: Sequence[Claim]) -> list[tuple[int, int]]:
    return [(c.reminder_id, c.attempt) for c in claims]


@dataclass(frozen=True)
class Recipient:
    """What an e-mail needs to know about the person it goes to."""

    id: int
    email: str
    name: str
    language: Language | None
    wants_digest: bool


def start_deliveries(groups: Sequence[Sequence[Claim]]) -> list[Delivery]:
    """Take the claimed rows of one or more e-mails for sending; return the e-mails to send, rendered.

    Each group of claims is one e-mail (one row, or a digest reader's rows). Rows that belong to a later
    claim are left alone; rows no longer wanted (the item was done, moved, its manager left) are
    cancelled; an e-mail that cannot be sent (no address, a template error) fails alone, with the
    reason, and the others go on. A row that already carries its marker under this very attempt was
    handed to SMTP by an earlier run of the same task that died (a killed pool process gives its task
    back): like a reclaim by the dispatcher, it is sent once more, flagged, or parked if that already
    happened. Loads everything for all the e-mails with a fixed number of queries; stores no marker
    (`take_delivery` does, just before each e-mail goes out). Flushes.
    """
    from lifecycle.notifications import render_reminder_email

    claims = [c for group in groups for c in group]
    if not claims:
        return []
    rows = db.session.execute(
        select(
            OUTBOX.c.id,
            OUTBOX.c.item_key,
            *(OUTBOX.c[source.column.key] for source in SOURCES),
            OUTBOX.c.recipient_id,
            OUTBOX.c.occurrence,
            OUTBOX.c.due_at,
            OUTBOX.c.message_id,
            OUTBOX.c.possible_duplicate,
            _U.c.email,
            _U.c.name,
            _U.c.language,
            _U.c.wants_digest,
        )
        .join(_U, _U.c.id == OUTBOX.c.recipient_id)
        .where(owned_by(claims))
    ).all()
    if not rows:
        return []
    by_id = {r.id: r for r in rows}
    mine = [c for c in claims if c.reminder_id in by_id]
    # Still wanted? The item may have been done, moved or its manager may have left since the claim.
    facts = load_facts(item_ids(rows))
    # Whether each row is still wanted depends on the item and its people, not on when it goes out.
    wanted = wanted_rows(facts, None)
    wanted_keys = {w.key for ws in wanted.values() for w in ws}
    stale = [
        c
        for c in mine
        if (by_id[c.reminder_id].item_key, by_id[c.reminder_id].recipient_id, by_id[c.reminder_id].occurrence)
        not in wanted_keys
    ]
    if stale:
        finish([c.reminder_id for c in stale], ReminderStatus.CANCELLED, None, owned_by(stale))
        logger.info(
            "reminders %s no longer wanted; cancelled instead of sent", [c.reminder_id for c in stale]
        )
    marked = [c for c in mine if c not in stale and by_id[c.reminder_id].message_id is not None]
    park = [c for c in marked if by_id[c.reminder_id].possible_duplicate]
    flag = [c for c in marked if not by_id[c.reminder_id].possible_duplicate]
    if park:
        finish([c.reminder_id for c in park], ReminderStatus.FAILED, UNCERTAIN, owned_by(park))
        logger.error("reminders %s parked: delivery uncertain after a second interrupted send", park)
    if flag:
        # The marker is cleared as the dispatcher clears it on a take-back: `take_delivery` only marks
        # unmarked rows, and the flag alone now says that a copy may have arrived.
        db.session.execute(
            update(OUTBOX).where(owned_by(flag)).values(possible_duplicate=True, message_id=None)
        )
        logger.warning("reminders %s were interrupted after reaching SMTP; re-sending, flagged", flag)
    left_out = {c.reminder_id for c in stale} | {c.reminder_id for c in park}
    live = [c for c in mine if c.reminder_id not in left_out]
    if live:
        # A fresh lease for every e-mail of the task, not only the one at SMTP: behind a queue backlog or
        # a slow relay (each e-mail may take MAIL_TIMEOUT) the later e-mails' leases from claim time would
        # run out, and the dispatcher would take them back (an attempt each time) before they are tried.
        # Owned rows only: a row reclaimed meanwhile belongs to its new claim and is left alone.
        lease = utcnow() + DeliverySettings.current().lease
        db.session.execute(_RENEW, {"owned": _owned_pairs(live), "lease": lease})
    flagged = {c.reminder_id for c in flag}
    deliveries = []
    for group in groups:
        taken = sorted(
            (c for c in group if c.reminder_id in by_id and c.reminder_id not in left_out),
            key=lambda c: c.reminder_id,
        )
        if not taken:
            continue
        group_rows = [by_id[c.reminder_id] for c in taken]
        first = group_rows[0]
        recipient = Recipient(
            first.recipient_id, first.email or "", first.name, first.language, first.wants_digest
        )
        ids = [c.reminder_id for c in taken]
        if not recipient.email.strip():
            finish(ids, ReminderStatus.FAILED, NO_ADDRESS, owned_by(taken))
            continue
        # Described and rendered inside the try: whatever breaks for one e-mail fails it alone, with the
        # reason, and never leaves its rows `sending` or holds up the others of the task.
        try:
            summaries = summarise(group_rows, facts)
            delivery = Delivery(
                claims=taken,
                recipient=recipient,
                message_id=message_id_for(ids),
                items=[summaries[r.id] for r in group_rows if r.id in summaries],
                possible_duplicate=any(r.possible_duplicate or r.id in flagged for r in group_rows),
            )
            delivery.message = render_reminder_email(delivery)
        except Exception as exc:  # a broken row must not hold up the others: it fails alone, with the reason
            logger.exception("reminders %s could not be rendered", ids)
            finish(ids, ReminderStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000], owned_by(taken))
            continue
        deliveries.append(delivery)
    return deliveries


def take_delivery(delivery: Delivery, now: datetime | None = None) -> bool:
    """Store the e-mail's Message-ID on its rows (the marker) and renew their lease, just before SMTP.

    Returns False when a row was lost to a reclaim since it was read, or another task holding the same
    claim marked it first: then nothing is marked and the e-mail is not sent (the new claim, or the next
    one after the lease, does the work). Flushes; the caller commits before talking to SMTP, so the
    marker is stored when the e-mail may leave.
    """
    now = now or utcnow()
    owned = _owned_pairs(delivery.claims)
    lease = now + DeliverySettings.current().lease
    taken = list(db.session.scalars(_TAKE, {"owned": owned, "marker": delivery.message_id, "lease": lease}))
    if len(taken) != len(owned):
        if taken:
            db.session.execute(_UNTAKE, {"ids": taken, "marker": delivery.message_id})
        return False
    return True


def record_sent(delivery: Delivery, now: datetime | None = None) -> bool:
    """Mark the delivery's rows sent; False if a later claim took them over meanwhile.

    The send task commits this together with the next e-mail's marker (or on its own after the last
    e-mail), so each e-mail costs one commit that waits for the disk.
    """
    now = now or utcnow()
    result = db.session.execute(_SENT, {"owned": _owned_pairs(delivery.claims), "at": now})
    done = int(getattr(result, "rowcount", 0) or 0)
    if done != len(delivery.claims):
        logger.warning(
            "reminder e-mail %s was sent after its lease passed to a new claim", delivery.message_id
        )
    return done == len(delivery.claims)
