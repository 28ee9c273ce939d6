"""Mentor suggestions: role models ranked by how well their strengths cover a manager's weaknesses.

A manager's weaknesses are
- the expectations assessed low in their latest review with assessments (the lowest score either
  assessor gave; `WEAK_SCORE` or lower), weighted by how low: a 1 weighs 3, a 2 weighs 2, a 3 weighs 1;
- the pillars they have completed no activity for in the last twelve months (pillar coverage),
  each weighing `UNCOVERED_PILLAR_WEIGHT`.
A role model strong in a weak expectation (or pillar) scores its weight; the suggestions are the
active role models with a free place, outside the manager's own line of management, scoring above
nothing, best first. The ranking is one SQL statement; with the weaknesses before it and the reasons
after it, a suggestion list costs the same few queries however many role models there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import joinedload

from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models import PillarCoverage
from lifecycle.models import ReviewAssessment
from lifecycle.models.mentoring import ROLE_MODEL_TAGS
from lifecycle.models.mentoring import Mentorship
from lifecycle.models.mentoring import RoleModel
from lifecycle.services.coverage import window_start
from lifecycle.services.mentoring.mentorships import IN_POST
from lifecycle.services.mentoring.queries import in_progress_clause
from lifecycle.services.mentoring.queries import line_of_management

#: an expectation assessed this low or lower is a weakness
WEAK_SCORE = 3
#: what a pillar with no completed activity in twelve months weighs (as much as an expectation at 2)
UNCOVERED_PILLAR_WEIGHT = 2
#: how many suggestions a manager's page shows
SUGGESTION_LIMIT = 10


@dataclass(frozen=True)
class Weakness:
    """An expectation assessed low (with its score), or a pillar without activity (no score)."""

    pillar: Pillar
    weight: int
    expectation: Expectation | None = None
    score: int | None = None


@dataclass(frozen=True)
class Weaknesses:
    #: expectation id → weakness
    expectations: dict[int, Weakness] = field(default_factory=dict)
    #: pillar id → weakness
    pillars: dict[int, Weakness] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.expectations or self.pillars)


@dataclass(frozen=True)
class Reason:
    """Why a role model is suggested: one weakness of the mentee their strengths cover."""

    weakness: Weakness
    mentee_name: str

    @property
    def strength(self) -> str:
        weakness = self.weakness
        if weakness.expectation is not None:
            return localized(weakness.expectation, "text")
        return localized(weakness.pillar, "name")

    @property
    def text(self) -> LazyString:
        """ "Strong in ge och få feedback, where Anna scored 2", in the reader's language."""
        if self.weakness.score is not None:
            return _l(
                "Strong in %(strength)s, where %(name)s scored %(score)d",
                strength=self.strength,
                name=self.mentee_name,
                score=self.weakness.score,
            )
        return _l(
            "Strong in %(strength)s, which %(name)s has had no activity for in twelve months",
            strength=self.strength,
            name=self.mentee_name,
        )


@dataclass(frozen=True)
class Suggestion:
    role_model: RoleModel
    score: int
    #: places left of the role model's capacity
    spare: int
    reasons: list[Reason]

    @property
    def mentor(self) -> Manager:
        return self.role_model.manager


def weaknesses_of(mentee: Manager, today: date) -> Weaknesses:
    """The mentee's low-assessed expectations and uncovered pillars (two queries, plus one to load)."""
    latest_review = (
        select(DevelopmentReview.id)
        .join(DevelopmentPlan, DevelopmentPlan.id == DevelopmentReview.plan_id)
        .where(
            DevelopmentPlan.manager_id == mentee.id,
            select(ReviewAssessment.id).where(ReviewAssessment.review_id == DevelopmentReview.id).exists(),
        )
        .order_by(
            func.coalesce(DevelopmentReview.completed_on, DevelopmentReview.scheduled_on).desc(),
            DevelopmentReview.id.desc(),
        )
        .limit(1)
        .scalar_subquery()
    )
    lowest = func.min(ReviewAssessment.score)
    scored: dict[int, int] = {
        expectation_id: score
        for expectation_id, score in db.session.execute(
            select(ReviewAssessment.expectation_id, lowest)
            .where(ReviewAssessment.review_id == latest_review)
            .group_by(ReviewAssessment.expectation_id)
            .having(lowest <= WEAK_SCORE)
        )
    }
    expectations = (
        db.session.scalars(
            select(Expectation)
            .where(Expectation.id.in_(scored), Expectation.retired_at.is_(None))
            .options(joinedload(Expectation.pillar))
        ).all()
        if scored
        else []
    )
    covered = select(PillarCoverage.pillar_id).where(
        PillarCoverage.manager_id == mentee.id, PillarCoverage.last_completed_on >= window_start(today)
    )
    uncovered = db.session.scalars(
        select(Pillar).where(Pillar.retired_at.is_(None), Pillar.id.not_in(covered)).order_by(Pillar.position)
    ).all()
    return Weaknesses(
        expectations={
            e.id: Weakness(
                pillar=e.pillar,
                expectation=e,
                score=scored[e.id],
                weight=WEAK_SCORE + 1 - scored[e.id],
            )
            for e in expectations
        },
        pillars={p.id: Weakness(pillar=p, weight=UNCOVERED_PILLAR_WEIGHT) for p in uncovered},
    )


def _weighted(column: ColumnElement[int], weights: dict[int, int]) -> ColumnElement[int]:
    return case(weights, value=column, else_=literal(0))


def suggest_mentors(mentee: Manager, today: date, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """The role models who would suit `mentee` best, with the reasons (see the module's docstring)."""
    weaknesses = weaknesses_of(mentee, today)
    if not weaknesses:
        return []
    tags = ROLE_MODEL_TAGS
    expectation_id = tags.expectations.c.expectation_id
    pillar_id = tags.pillars.c.pillar_id
    parts = []
    if weaknesses.expectations:
        weights = {i: w.weight for i, w in weaknesses.expectations.items()}
        parts.append(
            select(
                tags.expectation_owner.label("role_model_id"), _weighted(expectation_id, weights).label("w")
            ).where(expectation_id.in_(weights))
        )
    if weaknesses.pillars:
        weights = {i: w.weight for i, w in weaknesses.pillars.items()}
        parts.append(
            select(tags.pillar_owner.label("role_model_id"), _weighted(pillar_id, weights).label("w")).where(
                pillar_id.in_(weights)
            )
        )
    matches = union_all(*parts).subquery("matches")
    totals = (
        select(matches.c.role_model_id, func.sum(matches.c.w).label("score"))
        .group_by(matches.c.role_model_id)
        .subquery("totals")
    )
    # Places taken, counted once for every mentor rather than once per role model and use.
    places = (
        select(Mentorship.mentor_id, func.count().label("taken"))
        .where(in_progress_clause(today))
        .group_by(Mentorship.mentor_id)
        .subquery("places")
    )
    free = RoleModel.capacity - func.coalesce(places.c.taken, 0)
    spare = free.label("spare")
    already = (
        select(Mentorship.id)
        .where(
            Mentorship.mentor_id == RoleModel.manager_id,
            Mentorship.mentee_id == mentee.id,
            in_progress_clause(today),
        )
        .correlate(RoleModel)
        .exists()
    )
    ranked = db.session.execute(
        select(RoleModel.id, totals.c.score, spare)
        .join(totals, totals.c.role_model_id == RoleModel.id)
        .join(Manager, Manager.id == RoleModel.manager_id)
        .outerjoin(places, places.c.mentor_id == RoleModel.manager_id)
        .where(
            RoleModel.is_active.is_(True),
            RoleModel.manager_id != mentee.id,
            RoleModel.manager_id.not_in(line_of_management(mentee.id)),
            Manager.anonymised_at.is_(None),
            Manager.stage.in_(IN_POST),
            free > 0,
            ~already,
        )
        .order_by(totals.c.score.desc(), spare.desc(), Manager.name, RoleModel.id)
        .limit(limit)
    ).all()
    if not ranked:
        return []
    ids = [row.id for row in ranked]
    role_models = {
        rm.id: rm
        for rm in db.session.scalars(
            select(RoleModel).where(RoleModel.id.in_(ids)).options(joinedload(RoleModel.manager))
        )
    }
    covered: dict[int, list[Weakness]] = {i: [] for i in ids}
    if weaknesses.expectations:
        for owner, tag in db.session.execute(
            select(tags.expectation_owner, expectation_id).where(
                tags.expectation_owner.in_(ids), expectation_id.in_(weaknesses.expectations)
            )
        ):
            covered[owner].append(weaknesses.expectations[tag])
    if weaknesses.pillars:
        for owner, tag in db.session.execute(
            select(tags.pillar_owner, pillar_id).where(
                tags.pillar_owner.in_(ids), pillar_id.in_(weaknesses.pillars)
            )
        ):
            covered[owner].append(weaknesses.pillars[tag])
    suggestions = []
    for row in ranked:
        reasons = sorted(
            covered[row.id],
            key=lambda w: (-w.weight, w.pillar.position, w.expectation.position if w.expectation else -1),
        )
        suggestions.append(
            Suggestion(
                role_model=role_models[row.id],
                score=int(row.score),
                spare=int(row.spare),
                reasons=[Reason(w, mentee.name) for w in reasons],
            )
        )
    return suggestions
