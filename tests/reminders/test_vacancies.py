"""A vacancy's closing date: its HR partner is reminded before and on the last day to apply, and again
after it while the vacancy is still open for applications; written with the change, sent by the worker."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lifecycle.enums import Language
from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import User
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment import update_vacancy
from lifecycle.services.reminders import ReminderKind
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import get_rules
from lifecycle.services.reminders import resync_open_items
from lifecycle.services.reminders import set_rules
from tests.factories import make_unit
from tests.factories import make_user
from tests.reminders.conftest import NOW
from tests.reminders.conftest import rows
from tests.reminders.test_delivery import deliver_due

pytestmark = pytest.mark.usefixtures("outbox")

#: the last day to apply: Thursday 12 March 2026
CLOSES_ON = date(2026, 3, 12)
#: 08:00 in Stockholm on that day, when the on-the-day reminder goes out
DUE = datetime(2026, 3, 12, 7, 0, tzinfo=UTC)


@pytest.fixture
def partner(platform: None, frozen: Any) -> User:
    return make_user(Role.HR, name="Hedda HR-partner")


def values(vacancy: Vacancy | None = None, **changes: Any) -> VacancyValues:
    current = {
        "title": "Rektor Norra skolan",
        "org_unit": vacancy.org_unit if vacancy else make_unit("Norra skolan"),
        "hr_partner": vacancy.hr_partner if vacancy else None,
        "closes_on": vacancy.closes_on if vacancy else CLOSES_ON,
    }
    return VacancyValues(**{**current, **changes})


def open_vacancy(partner: User, **changes: Any) -> Vacancy:
    vacancy = create_vacancy(values(**{"hr_partner": partner, **changes}), partner)
    trust = db.session.scalar(select(Expectation).where(Expectation.key == "leader.trust"))
    assert trust is not None
    set_weights(vacancy, {trust: 3})
    set_status(vacancy, VacancyStatus.OPEN, NOW.date())
    return vacancy


def wanted(vacancy: Vacancy) -> set[tuple[str, int, str]]:
    return {
        (r.occurrence.value, r.recipient_id, r.status.value)
        for r in rows(vacancy_id=vacancy.id)
        if r.status is ReminderStatus.PENDING
    }


def test_opening_a_vacancy_reminds_its_hr_partner_of_the_closing_date(partner: User) -> None:
    draft = create_vacancy(values(hr_partner=partner), partner)
    assert rows(vacancy_id=draft.id) == [], "a draft is not published: no reminders"
    vacancy = open_vacancy(partner)
    assert wanted(vacancy) == {
        ("before", partner.id, "pending"),
        ("due", partner.id, "pending"),
        ("escalation", partner.id, "pending"),
    }
    due = rows(vacancy_id=vacancy.id, occurrence=Occ.DUE)[0]
    assert due.item_key == f"vacancy:{vacancy.id}:{CLOSES_ON.isoformat()}"
    assert due.due_at == DUE


def test_interviewing_a_new_date_or_another_partner_bring_the_rows_in_line(partner: User) -> None:
    vacancy = open_vacancy(partner)
    other = make_user(Role.HR, name="Olle HR")
    update_vacancy(vacancy, values(vacancy, hr_partner=other))
    assert {recipient for _occ, recipient, _status in wanted(vacancy)} == {other.id}
    later = CLOSES_ON + timedelta(days=7)
    update_vacancy(vacancy, values(vacancy, closes_on=later))
    assert {r.item_key for r in rows(vacancy_id=vacancy.id) if r.status is ReminderStatus.PENDING} == {
        f"vacancy:{vacancy.id}:{later.isoformat()}"
    }
    update_vacancy(vacancy, values(vacancy, closes_on=None))
    assert wanted(vacancy) == set(), "no closing date, nothing to remind of"
    update_vacancy(vacancy, values(vacancy, closes_on=CLOSES_ON))
    assert len(wanted(vacancy)) == 3
    set_status(vacancy, VacancyStatus.INTERVIEWING, NOW.date())
    assert wanted(vacancy) == set(), "applications are closed once interviewing starts"
    assert {r.status for r in rows(vacancy_id=vacancy.id)} == {ReminderStatus.CANCELLED}


def test_a_vacancy_without_an_hr_partner_or_with_a_disabled_one_reminds_no_one(partner: User) -> None:
    assert wanted(open_vacancy(partner, hr_partner=None)) == set()
    partner.is_enabled = False
    db.session.flush()
    assert wanted(open_vacancy(partner)) == set()


def test_hrs_rule_for_closing_dates_applies_after_a_resync(partner: User) -> None:
    vacancy = open_vacancy(partner)
    rules = get_rules()
    assert rules[ReminderKind.VACANCY_CLOSING] == Rule()
    set_rules(
        {**rules, ReminderKind.VACANCY_CLOSING: Rule(days_before=None, on_due_day=True, days_after=None)}
    )
    assert resync_open_items() >= 1
    assert wanted(vacancy) == {("due", partner.id, "pending")}


def test_the_e_mail_names_the_vacancy_and_links_to_it_in_the_partners_language(
    app_ctx: Flask, partner: User, outbox: list[Any]
) -> None:
    partner.language = Language.EN
    vacancy = open_vacancy(partner)
    deliver_due(DUE)
    assert [message.to for message in outbox] == [[partner.email]]
    message = outbox[0]
    assert message.subject == "Applications close today: Rektor Norra skolan"
    assert "Applications for Rektor Norra skolan (Norra skolan) close today, 12 March 2026." in message.body
    assert f"http://localhost/vacancies/{vacancy.id}" in message.body
    html, _mime = message.alternatives[0]
    assert f'href="http://localhost/vacancies/{vacancy.id}"' in html
    assert rows(vacancy_id=vacancy.id, occurrence=Occ.DUE)[0].status is ReminderStatus.SENT

    # Still open for applications after the day: the escalation says what to do.
    escalation = rows(vacancy_id=vacancy.id, occurrence=Occ.ESCALATION)[0]
    deliver_due(escalation.due_at)
    assert outbox[1].subject == "Still open after the closing date: Rektor Norra skolan"
    assert "move it on to interviewing" in outbox[1].body


def test_in_swedish_too(app_ctx: Flask, partner: User, outbox: list[Any]) -> None:
    partner.language = Language.SV
    open_vacancy(partner)
    before = rows(occurrence=Occ.BEFORE)[0]
    deliver_due(before.due_at)
    assert outbox[0].subject == "Sista ansökningsdag 12 mars 2026: Rektor Norra skolan"
    assert "Ansökningstiden för Rektor Norra skolan (Norra skolan) går ut den 12 mars 2026." in outbox[0].body


def test_a_vacancy_moved_on_before_the_day_is_never_reminded(partner: User, outbox: list[Any]) -> None:
    vacancy = open_vacancy(partner)
    set_status(vacancy, VacancyStatus.INTERVIEWING, NOW.date())
    deliver_due(DUE)
    assert outbox == []
