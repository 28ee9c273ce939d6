"""The effect map's measures: a registry of one function per measure kind, giving a value per period.

A measure function answers one `MeasureQuery` (the periods, oldest first; the unit whose managers it is
about, its sub-units included, or None for the whole organisation; the effect's pillar or pulse
statement) with one value per period, in the same order, None where the period has no figure:

    def exits_per_period(query: MeasureQuery) -> list[float | None]: ...

    register_measure(MeasureKind.EXITS, exits_per_period)

It computes in SQL with a number of queries that does not grow with the data, reads no request, and
writes nothing. `pillar_coverage` and `obstacle_removal` are registered here. `pulse_statement` and
`exits` are kinds HR can choose and a platform file can name, but their data is built elsewhere: until
a function is registered for them, `compute_measure` answers None and the map says there is no data yet.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import distinct
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true

from lifecycle.enums import MeasureKind
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Manager
from lifecycle.models import Obstacle
from lifecycle.models import OrgUnit
from lifecycle.models.activities import ACTIVITY_TAGS
from lifecycle.models.activities import activity_participants
from lifecycle.services.coverage import IN_POST
from lifecycle.services.effect_map.periods import Period
from lifecycle.services.obstacles.queries import ObstacleFilter
from lifecycle.services.obstacles.queries import median_days_to_removal

#: the pulse survey's statements a `pulse_statement` measure may name, with their words
PULSE_STATEMENTS: dict[str, LazyString] = {
    "clear_expectations": _l("I find it clear what is expected of me as a manager"),
    "support": _l("I get the support I need to do my job"),
}


@dataclass(frozen=True)
class MeasureQuery:
    """What a measure function is asked: the periods, the unit (with its sub-units) and the details."""

    periods: Sequence[Period]
    #: None: the whole organisation
    unit_id: int | None = None
    #: the pillar of a coverage measure (required) or of a removal measure (optional)
    pillar_id: int | None = None
    #: the pulse statement's key of a pulse measure
    statement: str | None = None


MeasureFunction = Callable[[MeasureQuery], list[float | None]]


@dataclass(frozen=True)
class MeasureKindInfo:
    """What a kind of measure needs and how its values read."""

    #: how a value is written: "%(value)s %%", "%(value)s days" ...
    value_format: LazyString
    #: the heading of its column in the table and the CSV file
    heading: LazyString
    #: "required", "optional" or "none": whether the effect names a pillar for it
    pillar: str = "none"
    needs_statement: bool = False


KINDS: dict[MeasureKind, MeasureKindInfo] = {
    MeasureKind.PULSE_STATEMENT: MeasureKindInfo(
        _l("%(value)s of 5"), _l("Mean answer (1–5)"), needs_statement=True
    ),
    MeasureKind.EXITS: MeasureKindInfo(_l("%(value)s exits"), _l("Exits")),
    MeasureKind.PILLAR_COVERAGE: MeasureKindInfo(
        _l("%(value)s %%"), _l("Share of managers in post (%)"), pillar="required"
    ),
    MeasureKind.OBSTACLE_REMOVAL: MeasureKindInfo(
        _l("%(value)s days"), _l("Median days to removal"), pillar="optional"
    ),
}

_FUNCTIONS: dict[MeasureKind, MeasureFunction] = {}


def register_measure(kind: MeasureKind, function: MeasureFunction) -> None:
    """Make `function` compute the measures of `kind` (see the module's docstring for its contract)."""
    _FUNCTIONS[kind] = function


def has_data(kind: MeasureKind) -> bool:
    """Whether a function computes this kind yet."""
    return kind in _FUNCTIONS


def compute_measure(kind: MeasureKind, query: MeasureQuery) -> list[float | None] | None:
    """One value per period of the query, or None when no function computes this kind yet."""
    function = _FUNCTIONS.get(kind)
    if function is None:
        return None
    values = function(query)
    if len(values) != len(query.periods):
        raise ValueError(f"the {kind} measure gave {len(values)} values for {len(query.periods)} periods")
    return values


def unit_subtree(unit_id: int) -> Select[int]:
    """The ids of the unit and every unit below it."""
    unit_path = select(OrgUnit.path).where(OrgUnit.id == unit_id).scalar_subquery()
    return select(OrgUnit.id).where(
        or_(OrgUnit.id == unit_id, OrgUnit.path.startswith(unit_path, autoescape=False))
    )


def in_post_during(period: Period) -> ColumnElement[bool]:
    """Managers in post at some time in the period: started by its end and not left before its start.

    One in post now without a start date counts as in post throughout; one whose journey is closed
    counts for the periods between their start and end dates.
    """
    started = or_(
        and_(Manager.stage.in_(IN_POST), Manager.start_date.is_(None)), Manager.start_date <= period.end
    )
    not_left = or_(Manager.end_date.is_(None), Manager.end_date >= period.start)
    in_post = or_(
        Manager.stage.in_(IN_POST), and_(Manager.stage == Stage.CLOSED, Manager.end_date.is_not(None))
    )
    return and_(started, not_left, in_post)


def _in_unit(unit_id: int | None) -> ColumnElement[bool]:
    return Manager.org_unit_id.in_(unit_subtree(unit_id)) if unit_id is not None else true()


def pillar_coverage(query: MeasureQuery) -> list[float | None]:
    """Per period, the share (%) of managers in post who completed an activity for the pillar in it.

    Two queries whatever the data: the managers in post per period, and those of them with a completed
    (not cancelled) activity tagged with the pillar and completed in the period.
    """
    periods = list(query.periods)
    if query.pillar_id is None or not periods:
        return [None] * len(periods)
    unit = _in_unit(query.unit_id)
    heads = db.session.execute(
        select(*(func.coalesce(func.sum(case((in_post_during(p), 1), else_=0)), 0) for p in periods)).where(
            unit
        )
    ).one()
    done_in = [
        case((and_(Activity.completed_on.between(p.start, p.end), in_post_during(p)), Manager.id), else_=None)
        for p in periods
    ]
    covered = db.session.execute(
        select(*(func.count(distinct(column)) for column in done_in))
        .select_from(Manager)
        .join(activity_participants, activity_participants.c.manager_id == Manager.id)
        .join(Activity, Activity.id == activity_participants.c.activity_id)
        .join(ACTIVITY_TAGS.pillars, ACTIVITY_TAGS.pillar_owner == Activity.id)
        .where(
            ACTIVITY_TAGS.pillars.c.pillar_id == query.pillar_id,
            Activity.cancelled_at.is_(None),
            Activity.completed_on.between(periods[0].start, periods[-1].end),
            unit,
        )
    ).one()
    return [
        round(100 * done / total, 1) if total else None for done, total in zip(covered, heads, strict=True)
    ]


def obstacle_removal(query: MeasureQuery) -> list[float | None]:
    """Per period, the median days from report to removal of the obstacles removed in it (in the unit,
    its sub-units included; hindering the pillar, when the effect names one): one query a period."""
    filters = ObstacleFilter(unit_id=query.unit_id, pillar_id=query.pillar_id)
    return [
        median_days_to_removal(
            filters, Obstacle.resolved_at >= period.starts_at(), Obstacle.resolved_at < period.ends_before()
        )
        for period in query.periods
    ]


register_measure(MeasureKind.PILLAR_COVERAGE, pillar_coverage)
register_measure(MeasureKind.OBSTACLE_REMOVAL, obstacle_removal)
