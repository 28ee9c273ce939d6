"""The demo municipality: believable, on every stage, and seeded only once however often it runs."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.services.accounts import authenticate
from lifecycle.services.demo import DEMO_PASSWORD

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_seed_demo_twice_creates_everything_once(app: Flask, committed: None) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        counts = (_count(OrgUnit), _count(User), _count(Manager), _count(StageTransition))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "(0 new this time)" in second.output
    with app.app_context():
        assert (_count(OrgUnit), _count(User), _count(Manager), _count(StageTransition)) == counts

        assert 45 <= counts[2] <= 60
        stages = dict(db.session.execute(select(Manager.stage, func.count()).group_by(Manager.stage)).all())
        assert all(stages.get(stage, 0) > 0 for stage in Stage.journey())
        administrations = db.session.scalar(
            select(func.count()).select_from(OrgUnit).where(OrgUnit.kind == OrgUnitKind.ADMINISTRATION)
        )
        assert administrations and administrations >= 3
        # Everyone below the top has a line manager, except candidates who are not hired yet.
        employed = db.session.scalars(
            select(Manager).where(Manager.stage.in_([Stage.INTRODUCE, Stage.DEVELOP, Stage.OFFBOARD]))
        ).all()
        assert sum(1 for m in employed if m.line_manager_id is None) == 1
        assert all(m.hr_partner_id is not None for m in employed)
        offboarding = db.session.scalars(select(Manager).where(Manager.stage == Stage.OFFBOARD)).all()
        assert all(m.end_date is not None for m in offboarding)

        admin = authenticate("admin@demo.example", DEMO_PASSWORD)
        hr = authenticate("hr@demo.example", DEMO_PASSWORD)
        assert admin is not None and admin.has_role(Role.ADMIN)
        assert hr is not None and hr.has_role(Role.HR)
        managers_with_accounts = db.session.scalar(
            select(func.count()).select_from(Manager).where(Manager.user_id.is_not(None))
        )
        assert managers_with_accounts and managers_with_accounts >= 20

    for login in ("admin@demo.example", "hr@demo.example", "hr2@demo.example"):
        assert login in first.output
    assert f"Password: {DEMO_PASSWORD}" in first.output


def test_the_demo_brings_three_reminders_forward_and_the_worker_task_sends_them(app_ctx: Flask) -> None:
    """After `make run` a review reminder, a milestone reminder and an overdue escalation arrive at once."""
    from lifecycle import tasks
    from lifecycle.cli import DEFAULT_PLATFORM
    from lifecycle.enums import ActivityKind
    from lifecycle.enums import ReminderOccurrence
    from lifecycle.enums import ReminderStatus
    from lifecycle.models import Activity
    from lifecycle.models import DevelopmentReview
    from lifecycle.models import Reminder
    from lifecycle.services.demo import seed_demo_data
    from lifecycle.services.demo_reminders import bring_demo_reminders_forward
    from lifecycle.services.platform import load_platform
    from lifecycle.services.platform_file import parse_platform
    from lifecycle.services.reminders import claim_due_reminders

    outbox = app_ctx.extensions["mailman"].outbox = []
    # A Sunday evening: every reminder computed now waits for Monday 08:00 or later.
    with time_machine.travel(datetime(2026, 3, 8, 18, 0, tzinfo=UTC), tick=False):
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        seed_demo_data()
        assert claim_due_reminders().emails() == []
        ids = bring_demo_reminders_forward()
        assert len(ids) == 3
        brought = {r.id: r for r in db.session.scalars(select(Reminder).where(Reminder.id.in_(ids)))}
        review, milestone, escalation = (brought[i] for i in ids)
        assert review.review_id is not None and review.occurrence is ReminderOccurrence.DUE
        coming_review = db.session.get(DevelopmentReview, review.review_id)
        assert coming_review is not None and coming_review.scheduled_on >= date(2026, 3, 8)
        activity = db.session.get(Activity, milestone.activity_id)
        assert activity is not None and activity.kind is ActivityKind.INTRODUCTION_MILESTONE
        assert activity.due_on is not None and activity.due_on >= date(2026, 3, 8)
        assert escalation.occurrence is ReminderOccurrence.ESCALATION
        late = db.session.get(Activity, escalation.activity_id) if escalation.activity_id else None
        late_review = (
            db.session.get(DevelopmentReview, escalation.review_id) if escalation.review_id else None
        )
        assert (late.due_on if late else late_review.scheduled_on) < date(2026, 3, 8)  # type: ignore[union-attr,operator]
        batch = claim_due_reminders()
        for claims in batch.emails():
            tasks.send_reminder.run([[c.reminder_id, c.attempt, c.recipient_id] for c in claims])
        db.session.expire_all()
        assert {r.status for r in db.session.scalars(select(Reminder).where(Reminder.id.in_(ids)))} == {
            ReminderStatus.SENT
        }
    assert len(outbox) == len(batch.emails()) >= 1
    bodies = "\n".join(m.body for m in outbox)
    assert "Utvecklingssamtal" in bodies
    assert "http://localhost/" in bodies


def test_the_demo_has_a_recruitment_interviewing_one_open_and_one_draft(app_ctx: Flask) -> None:
    """The hiring manager of the demo's interviewing vacancy signs in and finds its candidates."""
    from lifecycle.cli import DEFAULT_PLATFORM
    from lifecycle.models import Vacancy
    from lifecycle.models.recruitment import CandidateSource
    from lifecycle.models.recruitment import CandidateStep
    from lifecycle.models.recruitment import VacancyStatus
    from lifecycle.policy import visible_vacancies_clause
    from lifecycle.services.demo import seed_demo_data
    from lifecycle.services.platform import load_platform
    from lifecycle.services.platform_file import parse_platform

    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    seed_demo_data()
    vacancies = {v.status: v for v in db.session.scalars(select(Vacancy))}
    assert set(vacancies) == {VacancyStatus.INTERVIEWING, VacancyStatus.OPEN, VacancyStatus.DRAFT}
    interviewing = vacancies[VacancyStatus.INTERVIEWING]
    # One expectation of each pillar, the first decisive.
    assert [w.weight for w in interviewing.weights] == [3, 2, 2]
    assert len({w.expectation.pillar_id for w in interviewing.weights}) == 3
    assert {c.step for c in interviewing.candidacies} == {CandidateStep.INTERVIEW}
    assert {c.source for c in interviewing.candidacies} == {
        CandidateSource.EXTERNAL,
        CandidateSource.INTERNAL,
    }
    assert all(c.manager.stage is not Stage.ATTRACT for c in interviewing.candidacies)
    hiring = interviewing.hiring_manager
    assert hiring is not None and hiring in interviewing.interviewers
    assert authenticate(hiring.email, DEMO_PASSWORD) is not None
    seen = set(db.session.scalars(select(Vacancy.id).where(visible_vacancies_clause(hiring))))
    assert interviewing.id in seen and vacancies[VacancyStatus.OPEN].id not in seen
    # Seeding again adds no vacancy.
    seed_demo_data()
    assert len(db.session.scalars(select(Vacancy)).all()) == 3
