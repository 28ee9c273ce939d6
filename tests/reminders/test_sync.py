"""The outbox: rows written with the change that makes them due, never twice, cancelled (never deleted)."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.enums import ActivityKind
from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import DevelopmentReview
from lifecycle.models import Reminder
from lifecycle.services.activities import cancel_activity
from lifecycle.services.activities import complete_activity
from lifecycle.services.activities import reopen_activity
from lifecycle.services.journey import move_to_stage
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import update_manager
from lifecycle.services.plans import ensure_plan
from lifecycle.services.reminders import ReminderKind
from lifecycle.services.reminders import ReminderRuleError
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import get_rules
from lifecycle.services.reminders import resync_open_items
from lifecycle.services.reminders import set_rules
from lifecycle.services.reminders import sync_reminders
from lifecycle.services.reminders import sync_reminders_for
from lifecycle.services.reviews import complete_review
from tests.factories import make_manager
from tests.factories import make_user
from tests.reminders.conftest import People
from tests.reminders.conftest import make_activity
from tests.reminders.conftest import make_people
from tests.reminders.conftest import rows
from tests.reminders.conftest import summary


def test_an_activity_with_a_date_gets_its_reminders_with_it(app_ctx: Flask, people: People) -> None:
    activity = make_activity(people.manager, date(2026, 3, 12))
    assert summary(rows()) == {
        ("before", people.user.id, "pending", "2026-03-09 08:00"),
        ("due", people.user.id, "pending", "2026-03-12 08:00"),
        ("escalation", people.boss.id, "pending", "2026-03-16 08:00"),
        ("escalation", people.hr_partner.id, "pending", "2026-03-16 08:00"),
    }
    assert {r.item_key for r in rows()} == {f"activity:{activity.id}:2026-03-12"}
    assert all(r.activity_id == activity.id and r.review_id is None for r in rows())


def test_syncing_again_never_duplicates(app_ctx: Flask, people: People) -> None:
    activity = make_activity(people.manager, date(2026, 3, 12))
    before = summary(rows())
    for _ in range(3):
        sync_reminders_for(activity)
        sync_reminders(activities=[activity.id, activity.id])
    assert summary(rows()) == before
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 4


def test_an_activity_without_a_date_or_already_done_has_none(app_ctx: Flask, people: People) -> None:
    make_activity(people.manager, None)
    done = make_activity(people.manager, date(2026, 3, 12))
    complete_activity(done, date(2026, 3, 1))
    assert {r.status for r in rows()} == {ReminderStatus.CANCELLED}


def test_completing_cancels_the_waiting_ones_and_reopening_brings_them_back(
    app_ctx: Flask, people: People
) -> None:
    activity = make_activity(people.manager, date(2026, 3, 12))
    complete_activity(activity, date(2026, 3, 2))
    assert {r.status for r in rows()} == {ReminderStatus.CANCELLED}
    assert len(rows()) == 4  # kept, never deleted
    reopen_activity(activity)
    assert {r.status for r in rows()} == {ReminderStatus.PENDING}
    assert len(rows()) == 4


def test_cancelling_cancels_them(app_ctx: Flask, people: People) -> None:
    activity = make_activity(people.manager, date(2026, 3, 12))
    cancel_activity(activity)
    assert {r.status for r in rows()} == {ReminderStatus.CANCELLED}


def test_a_new_date_is_a_new_set_of_reminders_and_the_old_one_is_cancelled(
    app_ctx: Flask, people: People
) -> None:
    activity = make_activity(people.manager, date(2026, 3, 12))
    activity.due_on = date(2026, 4, 15)
    sync_reminders_for(activity)
    old = rows(item_key=f"activity:{activity.id}:2026-03-12")
    new = rows(item_key=f"activity:{activity.id}:2026-04-15")
    assert {r.status for r in old} == {ReminderStatus.CANCELLED}
    assert summary(new) == {
        ("before", people.user.id, "pending", "2026-04-10"[:10] + " 08:00"),  # the 12th is a Sunday
        ("due", people.user.id, "pending", "2026-04-15 08:00"),
        ("escalation", people.boss.id, "pending", "2026-04-17 08:00"),
        ("escalation", people.hr_partner.id, "pending", "2026-04-17 08:00"),
    }
    # Moved back: the first set comes back to life rather than being added again.
    activity.due_on = date(2026, 3, 12)
    sync_reminders_for(activity)
    assert {r.status for r in rows(item_key=f"activity:{activity.id}:2026-03-12")} == {ReminderStatus.PENDING}
    assert len(rows()) == 8


def test_a_sent_reminder_is_never_touched_again(app_ctx: Flask, people: People) -> None:
    activity = make_activity(people.manager, date(2026, 3, 12))
    before = rows(occurrence=Occ.BEFORE)[0]
    before.status = ReminderStatus.SENT
    db.session.flush()
    complete_activity(activity, date(2026, 3, 2))
    assert rows(occurrence=Occ.BEFORE)[0].status is ReminderStatus.SENT


def test_the_responsible_person_is_reminded_instead_of_the_manager(app_ctx: Flask, people: People) -> None:
    mentor = make_user(Role.MANAGER, name="Mentor")
    activity = make_activity(
        people.manager, date(2026, 3, 12), kind=ActivityKind.INTRODUCTION_MILESTONE, responsible=mentor
    )
    assert {(r.occurrence, r.recipient_id) for r in rows(status=ReminderStatus.PENDING)} == {
        (Occ.BEFORE, mentor.id),
        (Occ.DUE, mentor.id),
        (Occ.ESCALATION, people.boss.id),
        (Occ.ESCALATION, people.hr_partner.id),
    }
    # Someone else becomes responsible: the mentor's reminders are cancelled, the manager gets them.
    activity.responsible = None
    sync_reminders_for(activity)
    assert {(r.occurrence, r.recipient_id) for r in rows(status=ReminderStatus.PENDING)} == {
        (Occ.BEFORE, people.user.id),
        (Occ.DUE, people.user.id),
        (Occ.ESCALATION, people.boss.id),
        (Occ.ESCALATION, people.hr_partner.id),
    }
    assert {r.recipient_id for r in rows(status=ReminderStatus.CANCELLED)} == {mentor.id}


def test_each_kind_follows_its_own_rule_and_resync_moves_waiting_reminders(
    app_ctx: Flask, people: People
) -> None:
    milestone = make_activity(people.manager, date(2026, 3, 20), kind=ActivityKind.INTRODUCTION_MILESTONE)
    course = make_activity(people.manager, date(2026, 3, 20))
    rules = get_rules()
    rules[ReminderKind.INTRODUCTION] = Rule(days_before=7, on_due_day=False, days_after=None)
    set_rules(rules)
    assert get_rules()[ReminderKind.INTRODUCTION] == Rule(7, False, None)
    assert resync_open_items() >= 2
    assert summary(rows(activity_id=milestone.id, status=ReminderStatus.PENDING)) == {
        ("before", people.user.id, "pending", "2026-03-13 08:00"),
    }
    assert len(rows(activity_id=course.id, status=ReminderStatus.PENDING)) == 4


def test_rules_are_checked(app_ctx: Flask) -> None:
    with pytest.raises(ReminderRuleError):
        set_rules({ReminderKind.REVIEW: Rule(days_before=0)})
    with pytest.raises(ReminderRuleError):
        set_rules({ReminderKind.REVIEW: Rule(days_after=61)})


def test_a_manager_who_leaves_gets_no_more_reminders(app_ctx: Flask, people: People) -> None:
    course = make_activity(people.manager, date(2026, 3, 20))
    exit_interview = make_activity(
        people.manager, date(2026, 4, 20), kind=ActivityKind.EXIT_INTERVIEW, stage=Stage.OFFBOARD
    )
    move_to_stage(
        people.manager, Stage.OFFBOARD, None, "Slutar", date(2026, 3, 2), end_date=date(2026, 5, 31)
    )
    assert {r.status for r in rows(activity_id=course.id)} == {ReminderStatus.CANCELLED}
    # The offboarding's own activity still reminds until the journey closes.
    assert {r.status for r in rows(activity_id=exit_interview.id)} == {ReminderStatus.PENDING}
    move_to_stage(people.manager, Stage.CLOSED, None, "Klar", date(2026, 3, 2))
    assert {r.status for r in rows()} == {ReminderStatus.CANCELLED}


def test_a_line_manager_who_leaves_no_longer_receives_escalations(app_ctx: Flask, people: People) -> None:
    make_activity(people.manager, date(2026, 3, 20))
    move_to_stage(
        people.line_manager, Stage.OFFBOARD, None, "Slutar", date(2026, 3, 2), end_date=date(2026, 4, 1)
    )
    move_to_stage(people.line_manager, Stage.CLOSED, None, "Klar", date(2026, 3, 2))
    assert {r.recipient_id for r in rows(status=ReminderStatus.PENDING)} == {
        people.user.id,
        people.hr_partner.id,
    }


def test_a_disabled_account_is_not_reminded(app_ctx: Flask, people: People) -> None:
    people.hr_partner.is_enabled = False
    make_activity(people.manager, date(2026, 3, 20))
    assert people.hr_partner.id not in {r.recipient_id for r in rows()}


def test_a_new_line_manager_takes_over_the_escalations(app_ctx: Flask, people: People) -> None:
    make_activity(people.manager, date(2026, 3, 20))
    new_boss = make_manager("Ny chef", with_account=True)
    update_manager(people.manager, ChangeSet({"line_manager_id": new_boss.id}), actor=None)
    escalations = rows(occurrence=Occ.ESCALATION, status=ReminderStatus.PENDING)
    assert {r.recipient_id for r in escalations} == {new_boss.user.id, people.hr_partner.id}  # type: ignore[union-attr]
    assert rows(recipient_id=people.boss.id)[0].status is ReminderStatus.CANCELLED


def test_a_group_activity_reminds_each_participant_and_escalates_to_each_line_manager(
    app_ctx: Flask, people: People
) -> None:
    other = make_people("Bertil")
    make_activity(people.manager, date(2026, 3, 20), participants=[people.manager, other.manager])
    due = rows(occurrence=Occ.DUE)
    assert {r.recipient_id for r in due} == {people.user.id, other.user.id}
    escalations = rows(occurrence=Occ.ESCALATION)
    assert {r.recipient_id for r in escalations} == {
        people.boss.id,
        other.boss.id,
        people.hr_partner.id,
        other.hr_partner.id,
    }


def test_reviews_remind_the_manager_and_line_manager_until_completed(app_ctx: Flask, people: People) -> None:
    people.manager.start_date = date(2025, 10, 1)
    plan = ensure_plan(people.manager, date(2026, 3, 2))
    reviews = list(db.session.scalars(select(DevelopmentReview).where(DevelopmentReview.plan_id == plan.id)))
    assert reviews
    first = min(reviews, key=lambda r: r.scheduled_on)
    mine = rows(review_id=first.id)
    assert {(r.occurrence, r.recipient_id) for r in mine} >= {
        (Occ.DUE, people.user.id),
        (Occ.DUE, people.boss.id),
        (Occ.ESCALATION, people.boss.id),
        (Occ.ESCALATION, people.hr_partner.id),
    }
    assert all(r.item_key == f"review:{first.id}:{first.scheduled_on.isoformat()}" for r in mine)
    with time_machine.travel(datetime(2026, 4, 1, 10, 0, tzinfo=UTC), tick=False):
        complete_review(first, on=date(2026, 4, 1), next_steps="", actor=None)
    assert {r.status for r in rows(review_id=first.id)} == {ReminderStatus.CANCELLED}


def test_the_resync_task_commits_batch_by_batch(app_ctx: Flask, people: People) -> None:
    from lifecycle import tasks

    for day in range(5):
        make_activity(people.manager, date(2026, 4, 6 + day))
    set_rules(dict.fromkeys(ReminderKind, Rule(days_before=None, on_due_day=True, days_after=None)))
    assert tasks.resync_reminders.run() == 5
    assert {r.occurrence for r in rows(status=ReminderStatus.PENDING)} == {Occ.DUE}
    assert len(rows(status=ReminderStatus.PENDING)) == 5


def test_an_introduction_programme_brings_its_reminders_and_they_follow_the_start_date(
    app_ctx: Flask, people: People
) -> None:
    from lifecycle.services.introductions import ensure_default_template
    from lifecycle.services.introductions import launch_introduction

    template = ensure_default_template()
    launch = launch_introduction(people.manager, template, None, date(2026, 4, 1))
    milestones = rows(status=ReminderStatus.PENDING)
    assert milestones, "launching the programme writes the milestones' reminders"
    assert {r.activity_id for r in milestones} <= {
        a.id for a in db.session.scalars(select(Activity).where(Activity.introduction_id == launch.id))
    }
    before = {r.item_key for r in milestones}
    people.manager.start_date = date(2026, 4, 1)
    update_manager(people.manager, ChangeSet({"start_date": date(2026, 5, 4)}), actor=None)
    after = {r.item_key for r in rows(status=ReminderStatus.PENDING)}
    assert after and not (after & before)  # every open milestone moved: a fresh set for its new date
    assert {r.status for r in rows() if r.item_key in before} == {ReminderStatus.CANCELLED}


def test_an_anonymised_person_on_an_open_journey_gets_no_reminders_back(
    app_ctx: Flask, people: People
) -> None:
    from lifecycle.services.gdpr import anonymise_person

    activity = make_activity(people.manager, date(2026, 3, 12))
    assert people.manager.stage is not Stage.CLOSED
    assert any(r.status is ReminderStatus.PENDING for r in rows())
    anonymise_person(people.manager, actor=None)
    db.session.flush()
    assert rows() and all(r.status is ReminderStatus.CANCELLED for r in rows())
    # Neither a resync (HR changed the rules) nor a change to the item brings them back.
    resync_open_items()
    activity.description = "changed"
    sync_reminders_for(activity)
    db.session.flush()
    assert rows() and all(r.status is ReminderStatus.CANCELLED for r in rows())


def test_resync_walks_every_open_item_batch_by_batch(app_ctx: Flask, people: People) -> None:
    open_items = [make_activity(people.manager, date(2026, 3, day)) for day in (18, 19, 20)]
    done = make_activity(people.manager, date(2026, 3, 21))
    complete_activity(done, date(2026, 3, 1))
    reviews_open = db.session.scalar(
        select(func.count()).select_from(DevelopmentReview).where(DevelopmentReview.completed_on.is_(None))
    )
    batches: list[int] = []
    looked_at = resync_open_items(batch=2, after_batch=lambda: batches.append(1))
    assert looked_at == len(open_items) + (reviews_open or 0)
    # Two batches of activities (2 + 1), then the reviews' own batches, each followed by the callback.
    assert len(batches) == 2 + -(-(reviews_open or 0) // 2)
