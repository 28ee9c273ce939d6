"""Development reviews: reminders to the manager and their line manager, escalated to the line manager
and HR partner. The e-mail names the review only, never its content.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.extensions import db
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Reminder
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.sources import ItemFacts
from lifecycle.services.reminders.sources import ItemSummary
from lifecycle.services.reminders.sources import Occasion
from lifecycle.services.reminders.sources import ReminderSource
from lifecycle.services.reminders.sources import is_live


class ReviewSource(ReminderSource[Any]):
    def load(self, ids: Sequence[int], facts: ItemFacts) -> set[int]:
        items = self.items(facts)
        for row in db.session.execute(
            select(
                DevelopmentReview.id,
                DevelopmentReview.scheduled_on,
                DevelopmentReview.completed_on,
                DevelopmentPlan.manager_id,
            )
            .join(DevelopmentPlan, DevelopmentPlan.id == DevelopmentReview.plan_id)
            .where(DevelopmentReview.id.in_(ids))
        ):
            items[row.id] = row
        return {row.manager_id for row in items.values()}

    def occasion(self, item: Any, facts: ItemFacts) -> Occasion | None:
        person = facts.people.get(item.manager_id)
        if item.completed_on is not None or person is None or not is_live(person):
            return None
        return Occasion(
            item.scheduled_on,
            ReminderKind.REVIEW,
            first=[person.user_id, person.line_manager_user_id],
            escalate=[person.line_manager_user_id, person.hr_partner_id],
        )

    def summary(self, row: Any, item: Any, facts: ItemFacts) -> ItemSummary:
        subject = facts.people.get(item.manager_id)
        values = {"manager_id": item.manager_id, "review_id": item.id}
        return ItemSummary(
            row.id,
            row.occurrence,
            _l("Development review"),
            subject.name if subject else "",
            item.scheduled_on,
            "plans.review",
            values,
            page=("plans.review", values),
        )

    def open_items_of(self, manager_ids: Sequence[int]) -> list[int]:
        return list(
            db.session.scalars(
                select(DevelopmentReview.id)
                .join(DevelopmentPlan, DevelopmentPlan.id == DevelopmentReview.plan_id)
                .where(DevelopmentPlan.manager_id.in_(manager_ids), *self.open_conditions)
            )
        )


REVIEWS = ReviewSource(
    prefix="review",
    model=DevelopmentReview,
    id_column=DevelopmentReview.id,
    column=Reminder.review_id,
    open_conditions=(DevelopmentReview.completed_on.is_(None),),
)
