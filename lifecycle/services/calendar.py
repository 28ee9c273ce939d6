"""The personal calendar feed: a secret address per user, and the iCalendar document it serves.

The feed holds the user's own open activities (introduction milestones included) and open development
reviews, from a month back onwards, as all-day events. Calendar apps fetch it without a session, so
the address's token is the credential; regenerating the token cuts off every old subscription.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Iterable
from datetime import date
from datetime import timedelta

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event
from icalendar import vDuration
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import GoalStatus
from lifecycle.enums import Language
from lifecycle.extensions import db
from lifecycle.i18n import BABEL_LOCALES
from lifecycle.i18n import localized
from lifecycle.models import Activity
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models import PlanGoal
from lifecycle.models import User
from lifecycle.models.activities import activity_participants

logger = logging.getLogger(__name__)

PRODID = "-//Chefsresan//sv"
TIMEZONE = "Europe/Stockholm"
#: open activities and reviews that fell due this long ago are still shown, so a late one is not
#: forgotten; older ones are left out, as the feed is about what is coming
PAST_WINDOW = timedelta(days=30)
#: a bound on each kind of item, so one response stays small whatever the data holds
MAX_ITEMS = 500
#: how often calendar apps are asked to fetch the feed again
REFRESH_INTERVAL = timedelta(hours=1)
#: what `secrets.token_urlsafe` produces; anything else is refused before the database is asked
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def issue_calendar_token(user: User) -> str:
    """Give the user a new feed address; the previous one, if any, stops working at once."""
    token = secrets.token_urlsafe(32)
    user.calendar_token = token
    db.session.flush()
    logger.info("calendar feed address issued for user %s", user.id)
    return token


def revoke_calendar_token(user: User) -> None:
    """Stop the user's feed; its address answers 404 from now on."""
    if user.calendar_token is not None:
        user.calendar_token = None
        db.session.flush()
        logger.info("calendar feed stopped for user %s", user.id)


def user_for_calendar_token(token: str) -> User | None:
    """Return the enabled user whose feed address holds this token, else None."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token, User.is_enabled.is_(True)))
    # The database finds the row; the final check is constant-time and exact (whatever the collation).
    if user is None or user.calendar_token is None or not hmac.compare_digest(user.calendar_token, token):
        return None
    return user


def _feed_activities(manager: Manager, today: date) -> list[Activity]:
    return list(
        db.session.scalars(
            select(Activity)
            .join(activity_participants, activity_participants.c.activity_id == Activity.id)
            .where(
                activity_participants.c.manager_id == manager.id,
                Activity.completed_on.is_(None),
                Activity.cancelled_at.is_(None),
                Activity.due_on.is_not(None),
                Activity.due_on >= today - PAST_WINDOW,
            )
            .options(selectinload(Activity.pillars))
            .order_by(Activity.due_on, Activity.id)
            .limit(MAX_ITEMS)
        )
    )


def _feed_reviews(manager: Manager, today: date) -> list[DevelopmentReview]:
    return list(
        db.session.scalars(
            select(DevelopmentReview)
            .join(DevelopmentPlan, DevelopmentPlan.id == DevelopmentReview.plan_id)
            .where(
                DevelopmentPlan.manager_id == manager.id,
                DevelopmentReview.completed_on.is_(None),
                DevelopmentReview.scheduled_on >= today - PAST_WINDOW,
            )
            .options(
                selectinload(DevelopmentReview.plan)
                .selectinload(DevelopmentPlan.goals)
                .selectinload(PlanGoal.expectations)
                .selectinload(Expectation.pillar)
            )
            .order_by(DevelopmentReview.scheduled_on, DevelopmentReview.id)
            .limit(MAX_ITEMS)
        )
    )


def _review_pillars(review: DevelopmentReview) -> list[Pillar]:
    """Return the pillars the plan's goals build: what the review will talk about (not proposals yet)."""
    pillars = {
        e.pillar
        for goal in review.plan.goals
        if goal.status is not GoalStatus.PROPOSED
        for e in goal.expectations
    }
    return sorted(pillars, key=lambda p: p.position)


def _description(kind: ActivityKind, pillars: Iterable[Pillar]) -> str:
    lines = [_("Kind: %(kind)s", kind=kind.title)]
    names = [localized(p, "name") for p in pillars]
    if names:
        lines.append(_("Pillars: %(pillars)s", pillars=", ".join(names)))
    return "\n".join(lines)


def _event(uid: str, day: date, summary: str, description: str, link: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", utcnow().replace(microsecond=0))
    # A date (not a datetime) makes it an all-day event; DTEND is exclusive, hence the next day.
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", link)
    # A reminder of the day, not a meeting: it should not make the user look busy.
    event.add("transp", "TRANSPARENT")
    return event


def calendar_for(user: User, today: date) -> bytes:
    """Return the user's feed as an iCalendar document, in the user's language (Swedish by default)."""
    language = user.language or Language.SV
    with force_locale(BABEL_LOCALES[language.value]):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        name = f"Chefsresan – {user.name}"
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
        calendar.add("x-wr-timezone", TIMEZONE)
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))

        manager = user.manager
        if manager is not None:
            link = url_for("plans.me", _external=True)
            items: list[tuple[date, str, Event]] = []
            for activity in _feed_activities(manager, today):
                if activity.due_on is None:  # the query asks for a due date; this tells mypy
                    continue
                summary = _("%(kind)s: %(title)s", kind=activity.kind.title, title=activity.title)
                uid = f"activity-{activity.id}@chefsresan"
                description = _description(activity.kind, activity.pillars)
                items.append((activity.due_on, uid, _event(uid, activity.due_on, summary, description, link)))
            for review in _feed_reviews(manager, today):
                uid = f"review-{review.id}@chefsresan"
                description = _description(ActivityKind.DEVELOPMENT_REVIEW, _review_pillars(review))
                summary = _("Development review")
                items.append(
                    (review.scheduled_on, uid, _event(uid, review.scheduled_on, summary, description, link))
                )
            for _day, _uid, event in sorted(items, key=lambda item: (item[0], item[1])):
                calendar.add_component(event)
        document: bytes = calendar.to_ical()
        return document
