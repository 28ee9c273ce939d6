"""The recruitment group's matrix: candidate × weighed expectation, every interviewer's effective score,
the spread, and the weighted total; and the expectations a hired candidate scored lowest on.

An effective score is the latest amendment's, else the original. The matrix reads only submitted
scorecards the caller may see (`policy.visible_scorecards_clause`), in a fixed number of queries
whatever the number of candidates, interviewers and scorecards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import ColumnElement
from sqlalchemy import Float
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlalchemy.orm import contains_eager

from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.models.interviews import Interview
from lifecycle.models.interviews import Scorecard
from lifecycle.models.interviews import ScorecardAmendment
from lifecycle.models.interviews import ScorecardScore
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyExpectation

_LATEST = aliased(ScorecardAmendment, name="latest_amendment")


class MatrixOrder(StrEnum):
    """How the matrix's rows are ordered."""

    TOTAL = "total"
    NAME = "name"


def effective_scores_query(
    *conditions: ColumnElement[bool],
) -> Select[int, int, str, int, int, int | None, int]:
    """Return the effective scores of the submitted scorecards matching `conditions`.

    Each row: candidacy, author, author's name, expectation, effective and original score, and the
    latest amendment's id (None when not amended). An expectation without any score is left out.
    """
    latest_id = (
        select(func.max(ScorecardAmendment.id))
        .where(
            ScorecardAmendment.scorecard_id == ScorecardScore.scorecard_id,
            ScorecardAmendment.expectation_id == ScorecardScore.expectation_id,
        )
        .correlate(ScorecardScore)
        .scalar_subquery()
    )
    score = func.coalesce(_LATEST.score, ScorecardScore.score)
    return (
        select(
            Scorecard.candidacy_id,
            Scorecard.author_id,
            User.name.label("author_name"),
            ScorecardScore.expectation_id,
            score.label("score"),
            ScorecardScore.score.label("original"),
            _LATEST.id.label("amendment_id"),
        )
        .join(Scorecard, Scorecard.id == ScorecardScore.scorecard_id)
        .join(User, User.id == Scorecard.author_id)
        .outerjoin(_LATEST, _LATEST.id == latest_id)
        .where(Scorecard.submitted_at.is_not(None), score.is_not(None), *conditions)
    )


@dataclass(frozen=True)
class ScoreByInterviewer:
    author_id: int
    author_name: str
    score: int
    #: the score was amended after submitting
    amended: bool


@dataclass
class MatrixCell:
    scores: list[ScoreByInterviewer] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        return sum(s.score for s in self.scores) / len(self.scores) if self.scores else None

    @property
    def spread(self) -> int | None:
        """Highest minus lowest score: how far the interviewers disagree."""
        values = [s.score for s in self.scores]
        return max(values) - min(values) if values else None


@dataclass
class MatrixRow:
    candidacy: Candidacy
    #: by expectation id
    cells: dict[int, MatrixCell]
    #: Σ weight·mean / Σ weight over the expectations with a score; None without any
    weighted_total: float | None
    #: the interviewers whose submitted scorecards the row shows
    scored_by: int


class MatrixShown(StrEnum):
    """Whose rows the matrix shows: the candidates still in process (the page's default), or all."""

    IN_PROCESS = "in_process"
    ALL = "all"


@dataclass(frozen=True)
class Matrix:
    weights: list[VacancyExpectation]
    rows: list[MatrixRow]
    #: the rows of every page
    total: int = 0


def _weighted_total(cells: dict[int, MatrixCell], weights: Sequence[VacancyExpectation]) -> float | None:
    total = weight_sum = 0.0
    for weight in weights:
        mean = cells[weight.expectation_id].mean
        if mean is not None:
            total += weight.weight * mean
            weight_sum += weight.weight
    return total / weight_sum if weight_sum else None


def _weighted_totals(vacancy: Vacancy, candidacies: Select[int] | list[int]) -> Select[int, float]:
    """Each candidacy's weighted total over every submitted scorecard (`_weighted_total`, in SQL)."""
    scores = effective_scores_query(Scorecard.candidacy_id.in_(candidacies)).subquery()
    means = (
        select(scores.c.candidacy_id, scores.c.expectation_id, func.avg(scores.c.score).label("mean"))
        .group_by(scores.c.candidacy_id, scores.c.expectation_id)
        .subquery()
    )
    return (
        select(
            means.c.candidacy_id,
            cast(
                func.sum(VacancyExpectation.weight * means.c.mean) / func.sum(VacancyExpectation.weight),
                Float,
            ).label("total"),
        )
        .join(
            VacancyExpectation,
            and_(
                VacancyExpectation.vacancy_id == vacancy.id,
                VacancyExpectation.expectation_id == means.c.expectation_id,
            ),
        )
        .group_by(means.c.candidacy_id)
    )


class ScoreVisibility(NamedTuple):
    """What a reader of the matrix sees (`policy.score_visibility`): which scorecards, and the
    candidacies whose submitted scorecards they read (all of them or none, candidacy by candidacy)."""

    scorecards: ColumnElement[bool]
    candidacies: ColumnElement[bool]


def refresh_matrix_facts(vacancy: Vacancy, candidacy_ids: Select[int] | Sequence[int]) -> None:
    """Recompute the candidacies' stored weighted total and count of submitted scorecards.

    Called whenever what they are made of changes: a scorecard submitted or amended, the vacancy's
    weights. Two queries and the changed rows' updates, whatever the number of scores.
    """
    ids = candidacy_ids if isinstance(candidacy_ids, Select) else list(candidacy_ids)
    totals: dict[int, float] = {row[0]: row[1] for row in db.session.execute(_weighted_totals(vacancy, ids))}
    counts: dict[int, int] = {
        row[0]: row[1]
        for row in db.session.execute(
            select(Scorecard.candidacy_id, func.count())
            .where(Scorecard.candidacy_id.in_(ids), Scorecard.submitted_at.is_not(None))
            .group_by(Scorecard.candidacy_id)
        )
    }
    for candidacy in db.session.scalars(select(Candidacy).where(Candidacy.id.in_(ids))):
        total = totals.get(candidacy.id)
        candidacy.weighted_total = float(total) if total is not None else None
        candidacy.submitted_scorecards = counts.get(candidacy.id, 0)
    db.session.flush()


def scorecard_matrix(
    vacancy: Vacancy,
    visible: ScoreVisibility,
    order: MatrixOrder = MatrixOrder.TOTAL,
    shown: MatrixShown = MatrixShown.ALL,
    page: int = 1,
    per_page: int | None = None,
) -> Matrix:
    """The matrix of the vacancy's candidates who are interviewed or scored, as the caller may see it.

    `shown` narrows it to the candidates in process; `per_page` reads one page of rows (in `order`),
    `total` counting them all. `vacancy` comes with its weights loaded (`policy.get_vacancy_or_404`);
    two more queries follow whatever the number of candidates, interviewers and scorecards: the page's
    candidates with the count, ordered by their stored totals (`refresh_matrix_facts`) where the caller
    reads their scores, then the page's scores.
    """
    weights = list(vacancy.weights)
    in_vacancy = [Candidacy.vacancy_id == vacancy.id]
    if shown is MatrixShown.IN_PROCESS:
        in_vacancy.append(Candidacy.step.in_(CandidateStep.in_process()))
    interviewed = select(Interview.candidacy_id).where(
        Interview.candidacy_id == Candidacy.id, Interview.cancelled_at.is_(None)
    )
    matching = [*in_vacancy, or_(Candidacy.submitted_scorecards > 0, interviewed.exists())]
    # A reader who may not yet see a candidate's scores (an interviewer before submitting their own)
    # must not learn their order either: for them the candidate has no total.
    total = case((visible.candidacies, Candidacy.weighted_total), else_=None)
    rows_query = (
        select(Candidacy, total.label("total"), func.count().over().label("count"))
        .join(Manager, Manager.id == Candidacy.manager_id)
        .where(*matching)
        .options(contains_eager(Candidacy.manager).load_only(Manager.id, Manager.name))
    )
    if order is MatrixOrder.NAME:
        # Case-insensitive, as people read a list of names; and ordering by an expression no index
        # holds keeps PostgreSQL from walking every manager's name to find this vacancy's few.
        rows_query = rows_query.order_by(func.lower(Manager.name), Manager.name, Candidacy.id)
    else:
        rows_query = rows_query.order_by(total.is_(None), total.desc(), Manager.name, Candidacy.id)
    if per_page is not None:
        rows_query = rows_query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    listed = list(db.session.execute(rows_query))
    candidacies = [row[0] for row in listed]
    count = int(listed[0][2]) if listed else 0
    weighed = {weight.expectation_id for weight in weights}
    cells: dict[int, dict[int, MatrixCell]] = {
        c.id: {expectation_id: MatrixCell() for expectation_id in weighed} for c in candidacies
    }
    authors: dict[int, set[int]] = {c.id: set() for c in candidacies}
    if candidacies:
        for row in db.session.execute(
            effective_scores_query(Scorecard.candidacy_id.in_(list(cells)), visible.scorecards).order_by(
                User.name, Scorecard.author_id
            )
        ):
            row_cells = cells[row.candidacy_id]
            if row.expectation_id not in row_cells:
                continue
            row_cells[row.expectation_id].scores.append(
                ScoreByInterviewer(row.author_id, row.author_name, row.score, row.amendment_id is not None)
            )
            authors[row.candidacy_id].add(row.author_id)
    rows = [
        MatrixRow(c, cells[c.id], _weighted_total(cells[c.id], weights), len(authors[c.id]))
        for c in candidacies
    ]
    return Matrix(weights, rows, count)


def lowest_scored_expectations(candidacy: Candidacy, limit: int = 2) -> list[Expectation]:
    """The weighed expectations the candidate scored lowest on, by the group's mean effective score.

    Over every submitted scorecard (drafts never count); ties go to the heavier weight, then the
    vacancy's order. An expectation no one scored is left out. What the hand-over proposes as the new
    manager's first development goals.
    """
    scores = effective_scores_query(Scorecard.candidacy_id == candidacy.id).subquery()
    mean = func.avg(scores.c.score)
    ranked = (
        select(VacancyExpectation.expectation_id)
        .join(scores, scores.c.expectation_id == VacancyExpectation.expectation_id)
        .where(VacancyExpectation.vacancy_id == candidacy.vacancy_id)
        .group_by(VacancyExpectation.expectation_id, VacancyExpectation.weight, VacancyExpectation.position)
        .order_by(mean, VacancyExpectation.weight.desc(), VacancyExpectation.position)
        .limit(limit)
    )
    ids = list(db.session.scalars(ranked))
    if not ids:
        return []
    found = {e.id: e for e in db.session.scalars(select(Expectation).where(Expectation.id.in_(ids)))}
    return [found[i] for i in ids]
