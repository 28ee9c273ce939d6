"""Interview reminders: to each interviewer the working day before, "scorecard not submitted" the working
day after, never to the candidate or their line manager; in process, and through the real worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy import update

from lifecycle.db import utcnow
from lifecycle.enums import Language
from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Reminder
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.gdpr import anonymise_person
from lifecycle.services.recruitment import InterviewValues
from lifecycle.services.recruitment import ScoreValue
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import cancel_interview
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import reschedule_interview
from lifecycle.services.recruitment import schedule_interview
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment import submit_scorecard
from lifecycle.timeutil import STOCKHOLM
from lifecycle.timeutil import local_today
from tests.factories import make_unit
from tests.factories import make_user
from tests.reminders.conftest import People
from tests.reminders.conftest import make_people
from tests.reminders.harness import dispatching
from tests.reminders.harness import wait_for
from tests.reminders.test_delivery import deliver_due
from tests.reminders.test_delivery_integration import BASE_URL
from tests.reminders.test_delivery_integration import _all_sent
from tests.reminders.test_delivery_integration import _report
from tests.reminders.test_delivery_integration import _rows
from tests.reminders.test_delivery_integration import _text_of
from tests.reminders.test_delivery_integration import line  # noqa: F401  (a fixture)
from tests.reminders.test_delivery_integration import services  # noqa: F401  (a fixture)
from tests.test_recruitment import _expectation

#: Thursday 2 April 2026, 10:00 in Stockholm: Good Friday and Easter Monday follow
INTERVIEW_AT = datetime(2026, 4, 2, 10, 0, tzinfo=STOCKHOLM)


def at_eight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=STOCKHOLM).astimezone(UTC)


class Panel:
    """A vacancy whose two interviewers interview the manager of `people` (an internal candidate)."""

    def __init__(self, people: People, at: datetime = INTERVIEW_AT) -> None:
        self.hr = make_user(Role.HR, name="Hanna HR")
        self.ivar = make_user(Role.MANAGER, name="Ivar Intervjuare")
        self.karin = make_user(Role.MANAGER, name="Karin Intervjuare")
        self.vacancy = create_vacancy(
            VacancyValues(title="Rektor Västra skolan", org_unit=make_unit(), hr_partner=self.hr), self.hr
        )
        self.trust = _expectation("leader.trust")
        set_weights(self.vacancy, {self.trust: 3})
        set_recruitment_group(self.vacancy, [self.ivar, self.karin])
        set_status(self.vacancy, VacancyStatus.OPEN, date(2026, 3, 2))
        self.candidacy = add_candidate(self.vacancy, people.manager, self.hr, date(2026, 3, 2))
        self.interview = schedule_interview(self.candidacy, InterviewValues(starts_at=at), self.hr)


@pytest.fixture
def outbox(app: Flask) -> Iterator[list[Any]]:
    """The e-mails sent in this process (not autouse: the real worker's test has an app of its own)."""
    state = app.extensions["mailman"]
    state.outbox = []
    yield state.outbox
    state.outbox = []


@pytest.fixture
def panel(people: People) -> Panel:
    return Panel(people)


def _pending() -> list[Reminder]:
    return list(
        db.session.scalars(
            select(Reminder)
            .where(Reminder.status == ReminderStatus.PENDING)
            .order_by(Reminder.due_at, Reminder.id)
        )
    )


def test_the_interviewers_are_reminded_the_working_day_before_and_the_scorecard_the_working_day_after(
    app_ctx: Flask, people: People, panel: Panel
) -> None:
    rows = _pending()
    assert {(r.item_key.split(":")[0], r.occurrence, r.recipient_id, r.due_at) for r in rows} == {
        ("interview", Occ.BEFORE, panel.ivar.id, at_eight(date(2026, 4, 1))),
        ("interview", Occ.BEFORE, panel.karin.id, at_eight(date(2026, 4, 1))),
        # Good Friday and Easter Monday are not working days: Tuesday 7 April.
        ("scorecard", Occ.DUE, panel.ivar.id, at_eight(date(2026, 4, 7))),
        ("scorecard", Occ.DUE, panel.karin.id, at_eight(date(2026, 4, 7))),
    }
    # Never the candidate, their line manager or HR partner: their application is theirs to tell.
    assert not {people.user.id, people.boss.id, people.hr_partner.id} & {r.recipient_id for r in rows}
    assert not any(r.activity_id for r in db.session.scalars(select(Reminder)))


def test_moving_submitting_and_cancelling_keep_the_reminders_in_step(
    app_ctx: Flask, people: People, panel: Panel
) -> None:
    reschedule_interview(
        panel.interview,
        InterviewValues(starts_at=datetime(2026, 4, 14, 9, 0, tzinfo=STOCKHOLM), interviewers=[panel.ivar]),
    )
    assert {(r.item_key.split(":")[0], r.recipient_id, r.due_at) for r in _pending()} == {
        ("interview", panel.ivar.id, at_eight(date(2026, 4, 13))),
        ("scorecard", panel.ivar.id, at_eight(date(2026, 4, 15))),
    }
    submit_scorecard(panel.candidacy, panel.ivar, {panel.trust.id: ScoreValue(4, "Tydliga exempel")})
    assert [r.item_key.split(":")[0] for r in _pending()] == ["interview"]
    cancel_interview(panel.interview)
    assert _pending() == []


def test_the_e_mails_go_out_in_each_interviewers_language_and_link_to_the_candidate(
    app_ctx: Flask,
    people: People,
    panel: Panel,
    outbox: list[Any],
) -> None:
    panel.karin.language = Language.EN
    db.session.commit()
    deliver_due(at_eight(date(2026, 4, 1)))
    by_address = {message.to[0]: message for message in outbox}
    assert set(by_address) == {panel.ivar.email, panel.karin.email}
    swedish, english = by_address[panel.ivar.email], by_address[panel.karin.email]
    assert "10:00" in swedish.subject and "Rektor Västra skolan" in swedish.subject
    assert english.subject.startswith("Reminder: Interview at 10:00, Rektor Västra skolan")
    page = f"http://localhost/vacancies/{panel.vacancy.id}/candidates/{panel.candidacy.id}"
    assert page in swedish.body and people.manager.name in swedish.body
    outbox.clear()
    submit_scorecard(panel.candidacy, panel.karin, {panel.trust.id: ScoreValue(3, "Hörde om förtroende")})
    db.session.commit()
    deliver_due(at_eight(date(2026, 4, 7)))
    assert [message.to for message in outbox] == [[panel.ivar.email]]
    assert f"{page}/scorecard" in outbox[0].body
    assert "Hörde" not in outbox[0].body  # an e-mail names the item, never a score


def test_a_reminder_stale_by_send_time_is_not_sent(
    app_ctx: Flask,
    people: People,
    panel: Panel,
    outbox: list[Any],
) -> None:
    # The candidate withdraws (HR's not-selected, written behind the reminders' back).
    db.session.execute(update(Candidacy).values(step="not_selected", not_selected_reason="withdrew"))
    db.session.commit()
    deliver_due(at_eight(date(2026, 4, 1)))
    assert outbox == []
    assert {
        r.status for r in db.session.scalars(select(Reminder).where(Reminder.interview_id.is_not(None)))
    } == {ReminderStatus.CANCELLED}


def test_anonymising_the_candidate_cancels_the_interviewers_reminders_and_blanks_the_evidence(
    app_ctx: Flask, people: People, panel: Panel
) -> None:
    card = submit_scorecard(panel.candidacy, panel.ivar, {panel.trust.id: ScoreValue(4, "Berättade om Anna")})
    anonymise_person(people.manager, panel.hr)
    assert _pending() == []
    db.session.refresh(card)
    assert all("Anna" not in row.evidence for row in card.scores)


@pytest.mark.postgres
@pytest.mark.redis
def test_the_real_worker_sends_each_interviewer_their_reminder_once(line: dict[str, Any]) -> None:  # noqa: F811
    app, worker, handler = line["app"], line["worker"], line["sink"].handler
    with app.app_context():
        people = _people()
        # Ten days from today (the worker runs on the real clock), whatever day the suite runs.
        soon = datetime.combine(local_today() + timedelta(days=10), time(10), tzinfo=STOCKHOLM)
        panel = Panel(people, at=soon)
        panel.karin.language = Language.EN
        db.session.execute(
            update(Reminder).where(Reminder.status == ReminderStatus.PENDING).values(due_at=utcnow())
        )
        db.session.commit()
        expected = len(_pending())
        assert expected == 4
        interviewers = {panel.ivar.id, panel.karin.id}
        db.session.remove()
    worker.env["BASE_URL"] = BASE_URL
    worker.start()
    with dispatching(app):
        wait_for(lambda: _all_sent(line, expected), 120, f"{expected} reminders sent", lambda: _report(line))
    assert set(handler.counts.values()) == {1}, "every e-mail arrives once"
    texts = [_text_of(message) for message in handler.messages.values()]
    assert len(texts) == 4
    assert sum("Hello " in text for text in texts) == 2 and sum("Hej " in text for text in texts) == 2
    assert all(f"{BASE_URL}/vacancies/" in text for text in texts)
    sent = _rows(app)
    assert {r.recipient_id for r in sent} == interviewers


def _people() -> People:
    return make_people()
