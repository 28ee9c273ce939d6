"""Inviting managers to log in: an account linked to the manager, and a single-use link to set a password.

HR invites one manager from the profile, or everyone without an account in a board selection or an
import. The invitation row is written at once; the worker mints the link's secret when it sends the
e-mail (`prepare_invitation_email`), so the secret travels through no queue and no log. Only the
secret's digest is stored. Opening the link and choosing a password activates the account, links
nothing new (the account was linked when invited) and logs the manager in.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import cast

from flask import current_app
from flask_babel import LazyString
from flask_babel import force_locale
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import ColumnElement
from sqlalchemy import CursorResult
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import not_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import joinedload

from lifecycle.db import utcnow
from lifecycle.enums import AccountState
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Invitation
from lifecycle.models import Manager
from lifecycle.models import ManagerImport
from lifecycle.models import User
from lifecycle.models import UserRole
from lifecycle.notifications import external_url
from lifecycle.notifications import recipient_locale
from lifecycle.notifications import render_email
from lifecycle.services.accounts import end_all_sessions
from lifecycle.services.accounts import normalise_email
from lifecycle.services.accounts import set_password
from lifecycle.services.imports import read_import_file
from lifecycle.services.password_reset import DIGEST_LENGTH
from lifecycle.services.password_reset import MAX_SECRET_LENGTH
from lifecycle.services.password_reset import LinkState
from lifecycle.services.tokens import digest
from lifecycle.timeutil import STOCKHOLM

logger = logging.getLogger(__name__)

#: employee numbers looked up per query (a database limits the parameters of one statement)
NUMBERS_PER_QUERY = 1000


class InvitationError(ValueError):
    """The manager cannot be invited (or the invitation withdrawn); the message says why."""

    def __init__(self, message: LazyString) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class InviteReport:
    """What inviting a group did: who was invited, who was refused and why."""

    invited: list[Invitation] = field(default_factory=list)
    refused: list[tuple[Manager, LazyString]] = field(default_factory=list)


def max_age() -> timedelta:
    """Return how long an invitation link works (INVITATION_MAX_AGE_DAYS, read at every call)."""
    return timedelta(days=int(current_app.config.get("INVITATION_MAX_AGE_DAYS", 7)))


# -- the account's state ------------------------------------------------------------------------------


def _open_clause(now: datetime) -> ColumnElement[bool]:
    return and_(Invitation.used_at.is_(None), Invitation.withdrawn_at.is_(None), Invitation.expires_at > now)


@dataclass(frozen=True)
class Account:
    """What the profile shows about a manager's login: its state and the latest invitation."""

    state: AccountState
    user: User | None
    invitation: Invitation | None
    #: whether the latest invitation can still be used
    invitation_open: bool


def account_of(manager: Manager, now: datetime | None = None) -> Account:
    """Return the manager's account state with the latest invitation, for the profile."""
    moment = now or utcnow()
    invitation = latest_invitation(manager.user) if manager.user is not None else None
    return Account(
        account_state(manager, moment),
        manager.user,
        invitation,
        invitation is not None
        and invitation.is_open(moment)
        and manager.user is not None
        and manager.user.password_hash is None,
    )


def latest_invitation(user: User) -> Invitation | None:
    """Return the user's most recent invitation, whatever became of it."""
    return db.session.scalar(
        select(Invitation)
        .where(Invitation.user_id == user.id)
        .options(joinedload(Invitation.invited_by))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        .limit(1)
    )


def account_state(manager: Manager, now: datetime | None = None) -> AccountState:
    """Say whether the manager can log in: no account, invited, active or disabled.

    An account that never got a password counts as none unless an invitation to it is open: it was
    created by an invitation that has since expired or been withdrawn.
    """
    user = manager.user
    if user is None:
        return AccountState.NONE
    if user.password_hash is None:
        latest = latest_invitation(user)
        if latest is not None and latest.is_open(now or utcnow()):
            return AccountState.INVITED
        return AccountState.NONE
    return AccountState.ACTIVE if user.is_enabled else AccountState.DISABLED


def _without_login(now: datetime) -> ColumnElement[bool]:
    """Managers with no account, or an account with no password and no open invitation."""
    unusable_account = exists().where(
        User.id == Manager.user_id,
        User.password_hash.is_(None),
        not_(exists().where(Invitation.user_id == User.id, _open_clause(now))),
    )
    return or_(Manager.user_id.is_(None), unusable_account)


def invitable_clause(now: datetime) -> ColumnElement[bool]:
    """Managers an invitation can go to: on the journey, not erased, and unable to log in yet."""
    return and_(Manager.stage != Stage.CLOSED, Manager.anonymised_at.is_(None), _without_login(now))


@dataclass(frozen=True)
class Candidates:
    """The managers of a selection who cannot log in yet: those with an address, and those without."""

    invitable: list[Manager]
    without_email: list[Manager]


def _split(rows: list[Manager]) -> Candidates:
    rows.sort(key=lambda m: (m.name.casefold(), m.id))
    return Candidates([m for m in rows if m.email], [m for m in rows if not m.email])


def candidates(where: Sequence[ColumnElement[bool]], now: datetime | None = None) -> Candidates:
    """Return the managers matching `where` (a board selection) who can be invited."""
    statement = select(Manager).where(*where, invitable_clause(now or utcnow()))
    return _split(list(db.session.scalars(statement.options(joinedload(Manager.user)))))


def employee_numbers_in(record: ManagerImport) -> list[str]:
    """Return the employee numbers of an imported managers' file, read again from the kept file."""
    import_file = read_import_file(record.content)
    return [n for row in import_file.rows if (n := row.cells.get("employee_number", "").strip())]


def candidates_numbered(
    numbers: Sequence[str], where: Sequence[ColumnElement[bool]] = (), now: datetime | None = None
) -> Candidates:
    """Return the managers with these employee numbers (an import file's) who can be invited."""
    rows: list[Manager] = []
    ordered = sorted(set(numbers))
    for start in range(0, len(ordered), NUMBERS_PER_QUERY):
        chunk = ordered[start : start + NUMBERS_PER_QUERY]
        rows.extend(
            db.session.scalars(
                select(Manager)
                .where(Manager.employee_number.in_(chunk), *where, invitable_clause(now or utcnow()))
                .options(joinedload(Manager.user))
            )
        )
    return _split(rows)


# -- inviting -------------------------------------------------------------------------------------------


def _refusal(manager: Manager, owners: dict[str, User]) -> LazyString | None:
    """Why this manager cannot be invited, or None."""
    if manager.anonymised_at is not None:
        return _l("The person's data has been erased.")
    if manager.stage is Stage.CLOSED:
        return _l("The journey is closed.")
    if not manager.email:
        return _l("There is no e-mail address to send the invitation to. Add one to the details first.")
    user = manager.user
    if user is None:
        owner = owners.get(normalise_email(manager.email))
        if owner is not None and owner.manager is not None and owner.manager.id != manager.id:
            return _l(
                "The address %(email)s belongs to the account of %(name)s.",
                email=manager.email,
                name=owner.manager.name,
            )
        if owner is not None and owner.password_hash is not None:
            return None  # linked below; that account already logs in
        return None
    if user.password_hash is not None:
        if not user.is_enabled:
            return _l("The account is disabled. Enable it instead of inviting.")
        return _l("%(name)s already has an account and can log in.", name=manager.name)
    return None


def invite_managers(
    managers: Sequence[Manager], invited_by: User | None, now: datetime | None = None
) -> InviteReport:
    """Invite each manager who can be invited; flushes, never commits; the caller queues the e-mails.

    A manager with no account gets one with their e-mail address as the login and the Manager role;
    an existing account with that address and no manager is linked instead. An open invitation to
    the same account is replaced, so only the newest link works. Set-based: one query for the
    accounts that hold the addresses, whatever the number of managers.
    """
    moment = now or utcnow()
    report = InviteReport()
    addresses = {normalise_email(m.email) for m in managers if m.email and m.user is None}
    owners = {
        user.email: user
        for user in (
            db.session.scalars(select(User).where(func.lower(User.email).in_(addresses))) if addresses else []
        )
    }
    accounts: list[tuple[Manager, User]] = []
    for manager in managers:
        problem = _refusal(manager, owners)
        if problem is not None:
            report.refused.append((manager, problem))
            continue
        user = manager.user
        if user is None:
            email = normalise_email(manager.email or "")
            user = owners.get(email)
            if user is None:
                # Not create_user(): it flushes each account, and a whole import is invited at once.
                user = User(email=email, name=manager.name.strip(), role_rows=[UserRole(role=Role.MANAGER)])
                db.session.add(user)
                owners[email] = user
            elif Role.MANAGER not in user.roles:
                user.role_rows.append(UserRole(role=Role.MANAGER))
            manager.user = user
        if user.password_hash is not None:
            # An account with this address that already logs in: linking it is all it takes.
            logger.info("manager %s linked to the existing account %s", manager.id, user.id)
            continue
        accounts.append((manager, user))
    db.session.flush()
    user_ids = [user.id for _manager, user in accounts]
    if user_ids:
        db.session.execute(
            update(Invitation)
            .where(
                Invitation.user_id.in_(user_ids),
                Invitation.used_at.is_(None),
                Invitation.withdrawn_at.is_(None),
            )
            .values(withdrawn_at=moment)
            .execution_options(synchronize_session=False)
        )
    for _manager, user in accounts:
        user.is_enabled = True
        invitation = Invitation(
            user=user, invited_by=invited_by, created_at=moment, expires_at=moment + max_age()
        )
        db.session.add(invitation)
        report.invited.append(invitation)
    db.session.flush()
    logger.info("%d invited, %d refused", len(report.invited), len(report.refused))
    return report


def invite(manager: Manager, invited_by: User | None, now: datetime | None = None) -> Invitation | None:
    """Invite one manager; None when an existing account that logs in was linked instead of inviting."""
    report = invite_managers([manager], invited_by, now)
    if report.refused:
        raise InvitationError(report.refused[0][1])
    return report.invited[0] if report.invited else None


def withdraw(manager: Manager, now: datetime | None = None) -> None:
    """Withdraw the manager's open invitation: its link stops working and the account stays shut."""
    moment = now or utcnow()
    user = manager.user
    invitation = latest_invitation(user) if user is not None else None
    if user is None or invitation is None or not invitation.is_open(moment) or user.password_hash is not None:
        raise InvitationError(_l("There is no open invitation to withdraw."))
    invitation.withdrawn_at = moment
    # Without a password the account has no other way in, and it must not get one through
    # "forgot password" either: disabled until HR invites again.
    user.is_enabled = False
    db.session.flush()
    logger.info("invitation %s withdrawn", invitation.id)


# -- the e-mail -------------------------------------------------------------------------------------------


def prepare_invitation_email(
    invitation_id: int, now: datetime | None = None
) -> EmailMultiAlternatives | None:
    """Mint the link of a waiting invitation and return its e-mail; None if it is not to be sent.

    The invitation is claimed with a conditional update, so two workers given the same message (a
    redelivery) cannot both send it. The caller commits before sending: the link must work when the
    e-mail arrives. An invitation that was withdrawn, replaced, used or has expired is not sent.
    """
    moment = now or utcnow()
    secret = secrets.token_urlsafe(32)
    claimed = cast(
        "CursorResult[None]",
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.sent_at.is_(None), _open_clause(moment))
            .values(sent_at=moment, token_digest=digest(secret), send_error=None)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        logger.info("invitation %s is not waiting to be sent", invitation_id)
        return None
    invitation = db.session.get(Invitation, invitation_id, populate_existing=True)
    return render_invitation_email(invitation, secret) if invitation is not None else None


def unsent_invitations(
    now: datetime | None = None, older_than: timedelta = timedelta(minutes=10)
) -> list[int]:
    """Return open invitations never sent nor failed, saved a while ago: their task was never queued."""
    moment = now or utcnow()
    return list(
        db.session.scalars(
            select(Invitation.id)
            .where(
                _open_clause(moment),
                Invitation.sent_at.is_(None),
                Invitation.send_error.is_(None),
                Invitation.created_at < moment - older_than,
            )
            .order_by(Invitation.id)
        )
    )


def record_send_failure(invitation_id: int, reason: str) -> None:
    """Note why the e-mail did not go out; the invitation waits to be sent again (a new link)."""
    invitation = db.session.get(Invitation, invitation_id, populate_existing=True)
    if invitation is None:
        return
    invitation.send_error = reason[:500]
    invitation.sent_at = None
    invitation.token_digest = None
    db.session.flush()


def render_invitation_email(invitation: Invitation, secret: str) -> EmailMultiAlternatives:
    """Render the invitation (plain text and HTML) in the invitee's language, else the default one."""
    user = invitation.user
    with force_locale(recipient_locale(user)):
        context = {
            "user": user,
            "inviter": invitation.invited_by.name if invitation.invited_by else None,
            "url": external_url("invitations.accept", {"secret": secret}),
            "valid_until": format_date(invitation.expires_at.astimezone(STOCKHOLM).date(), "long"),
            "login_url": external_url("auth.login"),
        }
        return render_email("invitation", str(_l("You are invited to Chefsresan")), user.email, **context)


# -- accepting --------------------------------------------------------------------------------------------


def check_invitation_link(secret: str, now: datetime | None = None) -> tuple[LinkState, Invitation | None]:
    """Return what the invitation link with this secret is worth, and the invitation when it exists."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return LinkState.UNKNOWN, None
    return check_invitation_digest(digest(secret), now)


def check_invitation_digest(
    token_digest: str, now: datetime | None = None
) -> tuple[LinkState, Invitation | None]:
    """Return what the invitation whose link's secret has this digest is worth, and the invitation."""
    if len(token_digest) != DIGEST_LENGTH:
        return LinkState.UNKNOWN, None
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_digest == token_digest).options(joinedload(Invitation.user))
    )
    if invitation is None or invitation.user.anonymised_at is not None:
        return LinkState.UNKNOWN, invitation
    if invitation.used_at is not None or invitation.user.password_hash is not None:
        return LinkState.USED, invitation
    if invitation.withdrawn_at is not None or invitation.expires_at <= (now or utcnow()):
        return LinkState.EXPIRED, invitation
    return LinkState.VALID, invitation


def accept(invitation: Invitation, password: str, now: datetime | None = None) -> bool:
    """Set the account's first password through the invitation; False if the link was spent meanwhile."""
    moment = now or utcnow()
    claimed = cast(
        "CursorResult[None]",
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, _open_clause(moment))
            .values(used_at=moment)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        return False
    db.session.refresh(invitation)
    user = invitation.user
    set_password(user, password)
    user.is_enabled = True
    user.last_login_at = moment
    end_all_sessions(user)
    logger.info("invitation %s accepted by user %s", invitation.id, user.id)
    return True
