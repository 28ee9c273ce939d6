"""Retention of the talent pool: a member whose consent has run out is removed, every night.

A consent lasts `TALENT_POOL_RETENTION_DAYS` from the day it was given (`consent_until`). The job
removes the members whose consent ran out before today the way HR's "remove" does
(`remove_from_pool`): their profile goes, and a person on the journey only because of the pool is
anonymised with their journey closed. It also removes the profiles left behind by journeys that
closed meanwhile (a pool member not selected for a vacancy): the person is then kept, or anonymised,
by the rules of their journey (`CANDIDATE_RETENTION_DAYS`, `GDPR_RETENTION_DAYS`), not by the pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Sequence
from datetime import date
from datetime import timedelta
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlalchemy import select

from lifecycle.enums import Stage
from lifecycle.models import Manager
from lifecycle.models.talent_pool import TalentProfile
from lifecycle.services.gdpr.retention import in_batches
from lifecycle.services.gdpr.retention import take_due
from lifecycle.services.talent_pool.members import pool_retention_period
from lifecycle.services.talent_pool.members import remove_from_pool
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

#: members removed per transaction by the retention job
POOL_RETENTION_BATCH = 50


class PoolRetention(NamedTuple):
    """What a run of the job did: the profiles removed, and the people anonymised with them."""

    removed: list[int]
    anonymised: list[int]


def expired_profiles(
    today: date, period: timedelta, limit: int | None = None, *, lock: bool = False
) -> list[TalentProfile]:
    """Return the profiles whose consent ran out before `today`, or whose person's journey is over.

    With `lock`, on PostgreSQL the profiles are locked for the transaction and those another
    transaction holds (HR removing that member right now, another run of the job) are skipped.
    """
    statement = (
        select(TalentProfile)
        .join(Manager, Manager.id == TalentProfile.manager_id)
        .where(
            or_(
                TalentProfile.consent_given_on < today - period,
                Manager.stage == Stage.CLOSED,
                Manager.anonymised_at.is_not(None),
            )
        )
        .order_by(TalentProfile.id)
    )
    return take_due(statement, limit, lock=lock, of=TalentProfile)


def apply_pool_retention(
    today: date | None = None,
    batch: int = POOL_RETENTION_BATCH,
    after_batch: Callable[[], None] | None = None,
) -> PoolRetention:
    """Remove every member whose consent has run out (and profiles of closed journeys); running it
    again finds nobody new. Members are taken `batch` at a time, `after_batch` (the task's commit)
    running after each.
    """
    day = today or local_today()
    period = pool_retention_period()
    removed: list[int] = []

    def remove(profiles: Sequence[TalentProfile]) -> list[int]:
        removed.extend(profile.id for profile in profiles)
        return remove_from_pool(
            profiles,
            None,
            day,
            reason=_l("The consent to be kept in the talent pool ran out."),
            source="system",
            audit_reason="talent_pool_retention",
        )

    anonymised = in_batches(
        lambda limit: expired_profiles(day, period, limit=limit, lock=True), remove, batch, after_batch
    )
    if removed:
        logger.info(
            "talent pool retention: %d members removed, %d people anonymised", len(removed), len(anonymised)
        )
    return PoolRetention(removed, anonymised)
