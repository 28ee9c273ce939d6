"""Vacancies' closing dates: reminders to the vacancy's HR partner before and on the last day to apply,
and again after it while the vacancy is still open for applications (it should move on to interviewing).

A vacancy is about no one on the journey, so it brings its only recipient, the HR partner, itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import Reminder
from lifecycle.models import User
from lifecycle.models import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.sources import ItemFacts
from lifecycle.services.reminders.sources import ItemSummary
from lifecycle.services.reminders.sources import Occasion
from lifecycle.services.reminders.sources import ReminderSource
from lifecycle.services.reminders.sources import Wording
from lifecycle.services.reminders.sources import is_reachable

# Built once: a new alias on every call would cost SQLAlchemy a fresh adaptation (and its statement cache).
_PARTNER = aliased(User, name="vacancy_partner")
_PARTNER_OWN = aliased(Manager, name="vacancy_partner_manager")

#: %(title)s is the vacancy's title, %(name)s its unit
CLOSING_DATE = Wording(
    before=_l("Applications for %(title)s (%(name)s) close on %(date)s."),
    due=_l("Applications for %(title)s (%(name)s) close today, %(date)s."),
    overdue=_l(
        "Applications for %(title)s (%(name)s) closed on %(date)s, and the vacancy is still open for "
        "applications: move it on to interviewing, or change its closing date."
    ),
    subject_before=_l("Closing date %(date)s: %(title)s"),
    subject_due=_l("Applications close today: %(title)s"),
    subject_overdue=_l("Still open after the closing date: %(title)s"),
)


class VacancySource(ReminderSource[Any]):
    def load(self, ids: Sequence[int], facts: ItemFacts) -> set[int]:
        items = self.items(facts)
        for row in db.session.execute(
            select(
                Vacancy.id,
                Vacancy.title,
                Vacancy.status,
                Vacancy.closes_on,
                Vacancy.hr_partner_id,
                OrgUnit.name.label("unit_name"),
                _PARTNER.is_enabled.label("partner_enabled"),
                _PARTNER_OWN.stage.label("partner_stage"),
            )
            .join(OrgUnit, OrgUnit.id == Vacancy.org_unit_id)
            .outerjoin(_PARTNER, _PARTNER.id == Vacancy.hr_partner_id)
            .outerjoin(_PARTNER_OWN, _PARTNER_OWN.user_id == Vacancy.hr_partner_id)
            .where(Vacancy.id.in_(ids))
        ):
            items[row.id] = row
            if is_reachable(row.hr_partner_id, row.partner_enabled, row.partner_stage):
                facts.reachable.add(row.hr_partner_id)
        return set()

    def occasion(self, item: Any, facts: ItemFacts) -> Occasion | None:
        if item.status is not VacancyStatus.OPEN or item.closes_on is None:
            return None
        return Occasion(
            item.closes_on,
            ReminderKind.VACANCY_CLOSING,
            first=[item.hr_partner_id],
            escalate=[item.hr_partner_id],
        )

    def summary(self, row: Any, item: Any, facts: ItemFacts) -> ItemSummary:
        values = {"vacancy_id": item.id}
        return ItemSummary(
            row.id,
            row.occurrence,
            item.title,
            item.unit_name,
            item.closes_on or row.due_at.date(),
            "recruitment.vacancy",
            values,
            page=("recruitment.vacancy", values),
            wording=CLOSING_DATE,
        )

    def open_items_of(self, manager_ids: Sequence[int]) -> list[int]:
        return []  # a vacancy is about no manager; its HR partner is a user, checked before each e-mail


VACANCIES = VacancySource(
    prefix="vacancy",
    model=Vacancy,
    id_column=Vacancy.id,
    column=Reminder.vacancy_id,
    open_conditions=(Vacancy.status == VacancyStatus.OPEN, Vacancy.closes_on.is_not(None)),
)
