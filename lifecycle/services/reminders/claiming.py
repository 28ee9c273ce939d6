"""Claiming: the dispatcher marks due rows (and rows whose lease ran out) sending, with a lease, and groups
them into the e-mails the send tasks deliver.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import aliased

from lifecycle.db import utcnow
from lifecycle.enums import ReminderOccurrence
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.models import Reminder
from lifecycle.models import User
from lifecycle.services.reminders.outbox import OUTBOX
from lifecycle.services.reminders.outbox import UNCERTAIN
from lifecycle.services.reminders.outbox import DeliverySettings
from lifecycle.services.reminders.outbox import finish
from lifecycle.services.reminders.outbox import status_is

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """A row the dispatcher claimed: the send task must present `attempt` to act on it."""

    reminder_id: int
    attempt: int
    recipient_id: int


@dataclass(frozen=True)
class ClaimBatch:
    """What one claim gave: single e-mails, and per digest reader all their rows for one e-mail."""

    single: list[Claim]
    digests: dict[int, list[Claim]]
    parked: int = 0
    #: a digest reader's rows taken back from an e-mail that may have arrived: each such e-mail again on
    #: its own, never with newer rows (the copy keeps the Message-ID, under which a mail system that drops
    #: duplicates would drop the newer rows with it)
    resends: list[list[Claim]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.single) + sum(len(c) for c in self.digests.values()) + sum(map(len, self.resends))

    def emails(self) -> list[list[Claim]]:
        """Return the claims of each e-mail to send."""
        return [[claim] for claim in self.single] + list(self.digests.values()) + self.resends


def claim_due_reminders(now: datetime | None = None, limit: int | None = None) -> ClaimBatch:
    """Claim due rows and rows whose lease expired: mark them sending with a lease, count the attempt.

    `FOR UPDATE SKIP LOCKED` on PostgreSQL lets several dispatchers run at once without claiming the
    same row; the guarded UPDATE makes a double claim impossible on every database. A digest reader's
    due rows are claimed all together, for one e-mail. Flushes; the caller commits before queueing.
    """
    settings = DeliverySettings.current()
    now = now or utcnow()
    limit = limit or settings.batch_size
    expired = db.session.execute(
        select(Reminder.id, Reminder.message_id, Reminder.possible_duplicate, Reminder.attempts)
        .where(status_is(ReminderStatus.SENDING), Reminder.lease_until < now)
        .order_by(Reminder.lease_until)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    park: list[int] = []
    give_up: list[int] = []
    flag: list[int] = []
    reclaim: list[int] = []
    for row in expired:
        if row.attempts >= settings.max_attempts:
            give_up.append(row.id)
        elif row.message_id is not None and row.possible_duplicate:
            park.append(row.id)
        elif row.message_id is not None:
            flag.append(row.id)
        else:
            reclaim.append(row.id)
    if park:
        finish(park, ReminderStatus.FAILED, UNCERTAIN, guard=status_is(ReminderStatus.SENDING))
        logger.error("reminders %s parked: delivery uncertain after a second interrupted send", park)
    if give_up:
        finish(
            give_up,
            ReminderStatus.FAILED,
            f"Gave up after {settings.max_attempts} attempts.",
            guard=status_is(ReminderStatus.SENDING),
        )
    if flag:
        # A send reached SMTP and never confirmed: it may have arrived. Send once more, flagged.
        db.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(flag))
            .values(possible_duplicate=True, message_id=None)
            .execution_options(synchronize_session=False)
        )
        logger.warning("reminders %s were interrupted after reaching SMTP; re-sending, flagged", flag)
    room = limit - len(expired)
    due_ids: list[int] = []
    if room > 0:
        due_ids = list(
            db.session.scalars(
                select(Reminder.id)
                .where(status_is(ReminderStatus.PENDING), Reminder.due_at <= now)
                .order_by(Reminder.due_at, Reminder.id)
                .limit(room)
                .with_for_update(skip_locked=True)
            )
        )
    due_ids = _without_superseded(due_ids, now)
    flagged, reclaimed = set(flag), set(reclaim)
    marker_of = {row.id: row.message_id for row in expired if row.id in flagged}
    unsure = {row.id for row in expired if row.id in reclaimed and row.possible_duplicate}
    candidates = reclaim + flag + due_ids
    if not candidates:
        return ClaimBatch([], {}, parked=len(park) + len(give_up))
    claimed = _mark_sending(candidates, now, settings)
    digest_readers = set(
        db.session.scalars(
            select(User.id).where(User.id.in_({c.recipient_id for c in claimed}), User.wants_digest.is_(True))
        )
    )
    if digest_readers:
        # The rest of their due rows go into the same e-mail.
        claimed_ids = {c.reminder_id for c in claimed}
        more = [
            i
            for i in db.session.scalars(
                select(Reminder.id)
                .where(
                    status_is(ReminderStatus.PENDING),
                    Reminder.due_at <= now,
                    Reminder.recipient_id.in_(digest_readers),
                )
                .with_for_update(skip_locked=True)
            )
            if i not in claimed_ids
        ]
        more = _without_superseded(more, now)
        if more:
            claimed += _mark_sending(more, now, settings)
    single = [c for c in claimed if c.recipient_id not in digest_readers]
    digests: dict[int, list[Claim]] = {}
    resends: dict[tuple[int, str], list[Claim]] = {}
    for claim in claimed:
        if claim.recipient_id not in digest_readers:
            continue
        # Rows taken back from an e-mail that may have arrived go out as that e-mail again: grouped by
        # the marker they carried, and those flagged without one (an ambiguous failure) apart too.
        taken_back = marker_of.get(claim.reminder_id) or ("" if claim.reminder_id in unsure else None)
        if taken_back is None:
            digests.setdefault(claim.recipient_id, []).append(claim)
        else:
            resends.setdefault((claim.recipient_id, taken_back), []).append(claim)
    return ClaimBatch(single, digests, parked=len(park) + len(give_up), resends=list(resends.values()))


SUPERSEDED = "Superseded: a later reminder of the same item to the same person was due as well."

#: how far along an item's reminders each occurrence is
_ADVANCE = {ReminderOccurrence.BEFORE: 0, ReminderOccurrence.DUE: 1, ReminderOccurrence.ESCALATION: 2}


def _without_superseded(ids: list[int], now: datetime) -> list[int]:
    """Cancel the due rows that a more advanced due row of the same item and person supersedes.

    After an outage (the worker or beat down for days) an item's reminder before, on the day and its
    escalation can all be due at once: each person gets the latest one only, not one per missed slot.
    Returns the ids left to claim.
    """
    if not ids:
        return ids
    later = aliased(Reminder, name="later")
    advance = case(_ADVANCE, value=Reminder.occurrence)
    later_advance = case(_ADVANCE, value=later.occurrence)
    superseded = list(
        db.session.scalars(
            select(Reminder.id).where(
                Reminder.id.in_(ids),
                exists().where(
                    later.item_key == Reminder.item_key,
                    later.recipient_id == Reminder.recipient_id,
                    later.status.in_([ReminderStatus.PENDING, ReminderStatus.SENDING, ReminderStatus.SENT]),
                    later.due_at <= now,
                    later_advance > advance,
                ),
            )
        )
    )
    if not superseded:
        return ids
    finish(superseded, ReminderStatus.CANCELLED, SUPERSEDED, status_is(ReminderStatus.PENDING))
    logger.info("reminders %s superseded by a later reminder due at the same time", superseded)
    gone = set(superseded)
    return [i for i in ids if i not in gone]


def _mark_sending(ids: list[int], now: datetime, settings: DeliverySettings) -> list[Claim]:
    claimable = or_(
        status_is(ReminderStatus.PENDING),
        and_(status_is(ReminderStatus.SENDING), OUTBOX.c.lease_until < now),
    )
    rows = db.session.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(ids), claimable)
        .values(
            status=ReminderStatus.SENDING, lease_until=now + settings.lease, attempts=OUTBOX.c.attempts + 1
        )
        .returning(OUTBOX.c.id, OUTBOX.c.attempts, OUTBOX.c.recipient_id)
    ).all()
    return [Claim(row.id, row.attempts, row.recipient_id) for row in sorted(rows)]
