"""Reading mentoring: which mentorships run, a manager's line of management, meetings, and the lists.

Access is the caller's: lists take the policy's `visible_mentorships_clause(user)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import union
from sqlalchemy.orm import aliased
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from lifecycle.enums import ActivityKind
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Manager
from lifecycle.models.mentoring import Mentorship
from lifecycle.models.mentoring import RoleModel

#: HR's list of role models shows this many a page
PAGE_SIZE = 50


class MentorshipState(StrEnum):
    UPCOMING = "upcoming"
    RUNNING = "running"
    ENDED = "ended"

    @property
    def title(self) -> LazyString:
        return {
            MentorshipState.UPCOMING: _l("Not started yet"),
            MentorshipState.RUNNING: _l("Running"),
            MentorshipState.ENDED: _l("Ended"),
        }[self]


def state_of(mentorship: Mentorship, today: date) -> MentorshipState:
    if mentorship.ended_at is not None or mentorship.ends_on < today:
        return MentorshipState.ENDED
    if mentorship.starts_on > today:
        return MentorshipState.UPCOMING
    return MentorshipState.RUNNING


def running_clause(today: date) -> ColumnElement[bool]:
    """Mentorships that run today: started, not past their end date, not ended early."""
    return Mentorship.ended_at.is_(None) & (Mentorship.starts_on <= today) & (Mentorship.ends_on >= today)


def in_progress_clause(today: date) -> ColumnElement[bool]:
    """Mentorships running or agreed to start: what takes a place of a mentor's capacity."""
    return Mentorship.ended_at.is_(None) & (Mentorship.ends_on >= today)


def line_of_management(manager_id: int) -> Select[tuple[int]]:
    """The ids of the manager's line managers up the chain and of everyone below them (one query).

    A mentor should stand outside the mentee's own line: neither someone they report to, however far
    up, nor someone who reports to them.
    """
    above = (
        select(Manager.line_manager_id.label("id"))
        .where(Manager.id == manager_id, Manager.line_manager_id.is_not(None))
        .cte("line_above", recursive=True)
    )
    up = aliased(Manager, name="up")
    above = above.union(
        select(up.line_manager_id).join(above, up.id == above.c.id).where(up.line_manager_id.is_not(None))
    )
    below = (
        select(Manager.id.label("id"))
        .where(Manager.line_manager_id == manager_id)
        .cte("line_below", recursive=True)
    )
    down = aliased(Manager, name="down")
    below = below.union(select(down.id).join(below, down.line_manager_id == below.c.id))
    return select(union(select(above.c.id), select(below.c.id)).subquery().c.id)


def in_own_line(mentee_id: int, mentor_id: int) -> bool:
    """Whether `mentor_id` is in the mentee's line of management (see `line_of_management`)."""
    lines = line_of_management(mentee_id).subquery()
    return bool(db.session.scalar(select(select(lines).where(lines.c.id == mentor_id).exists())))


def in_progress_count(mentor_id: int, today: date) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Mentorship)
            .where(Mentorship.mentor_id == mentor_id, in_progress_clause(today))
        )
        or 0
    )


def active_role_model_of(manager_id: int) -> RoleModel | None:
    return db.session.scalar(
        select(RoleModel).where(RoleModel.manager_id == manager_id, RoleModel.is_active.is_(True))
    )


def role_model_of(manager_id: int) -> RoleModel | None:
    return db.session.scalar(select(RoleModel).where(RoleModel.manager_id == manager_id))


def role_models_after(
    last_id: int | None, *, active_only: bool = False, limit: int = PAGE_SIZE
) -> list[RoleModel]:
    """A page of role models in the order HR marked them, after `last_id` (keyset paging), and one
    more when more follow."""
    query = (
        select(RoleModel)
        .options(
            joinedload(RoleModel.manager),
            selectinload(RoleModel.pillars),
            selectinload(RoleModel.expectations),
        )
        .order_by(RoleModel.id)
        .limit(limit + 1)
    )
    if last_id is not None:
        query = query.where(RoleModel.id > last_id)
    if active_only:
        query = query.where(RoleModel.is_active.is_(True))
    return list(db.session.scalars(query).unique())


def mentorship_in_full(mentorship_id: int, visible: ColumnElement[bool]) -> Mentorship | None:
    """Load a mentorship `visible` admits, with both people."""
    return db.session.scalar(
        select(Mentorship)
        .where(Mentorship.id == mentorship_id, visible)
        .options(joinedload(Mentorship.mentor), joinedload(Mentorship.mentee))
    )


def mentorships_where(visible: ColumnElement[bool], *clauses: ColumnElement[bool]) -> list[Mentorship]:
    """The mentorships `visible` admits (and `clauses`), the latest started first (at most a page)."""
    return list(
        db.session.scalars(
            select(Mentorship)
            .where(visible, *clauses)
            .options(joinedload(Mentorship.mentor), joinedload(Mentorship.mentee))
            .order_by(Mentorship.starts_on.desc(), Mentorship.id.desc())
            .limit(PAGE_SIZE)
        )
    )


def meetings_of(mentorship: Mentorship) -> Sequence[Activity]:
    """The mentorship's meetings (its mentoring activities), the latest first."""
    return list(
        db.session.scalars(
            select(Activity)
            .where(Activity.mentorship_id == mentorship.id, Activity.kind == ActivityKind.MENTORING)
            .where(Activity.cancelled_at.is_(None))
            .options(selectinload(Activity.pillars), selectinload(Activity.expectations))
            .order_by(Activity.completed_on.desc(), Activity.id.desc())
        )
    )


def last_meeting_on(mentorship_id: int) -> date | None:
    return db.session.scalar(
        select(func.max(Activity.completed_on)).where(
            Activity.mentorship_id == mentorship_id, Activity.cancelled_at.is_(None)
        )
    )


def mentorships_after(visible: ColumnElement[bool], last_id: int, limit: int) -> list[Mentorship]:
    """A page of the mentorships `visible` admits, by id after `last_id`, and one more when more follow."""
    return list(
        db.session.scalars(
            select(Mentorship)
            .where(visible, Mentorship.id > last_id)
            .order_by(Mentorship.id)
            .limit(limit + 1)
        )
    )
