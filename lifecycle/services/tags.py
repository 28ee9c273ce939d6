"""Reading the tags of any tagged model (lifecycle/models/tags.py) by key, for many rows at once."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select

from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Pillar
from lifecycle.models.tags import TagTables

logger = logging.getLogger(__name__)


def tag_keys(tags: TagTables, owner_ids: Sequence[int]) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Return the pillar keys and the expectation keys of each row, by the row's id (two queries)."""
    pillars: dict[int, set[str]] = {}
    expectations: dict[int, set[str]] = {}
    if not owner_ids:
        return pillars, expectations
    for owner_id, key in db.session.execute(
        select(tags.pillar_owner, Pillar.key)
        .join(Pillar, Pillar.id == tags.pillars.c.pillar_id)
        .where(tags.pillar_owner.in_(owner_ids))
    ):
        pillars.setdefault(owner_id, set()).add(key)
    for owner_id, key in db.session.execute(
        select(tags.expectation_owner, Expectation.key)
        .join(Expectation, Expectation.id == tags.expectations.c.expectation_id)
        .where(tags.expectation_owner.in_(owner_ids))
    ):
        expectations.setdefault(owner_id, set()).add(key)
    return pillars, expectations
