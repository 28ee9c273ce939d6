"""Demo data for offboarding: a leaving manager's checklist half done, and past exits with their exit
interviews so that HR's analysis shows something (once; running it again changes nothing)."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from lifecycle.enums import ActivityKind
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import ExitInterview
from lifecycle.models import ExitPillarScore
from lifecycle.models import ExitReason
from lifecycle.models import Manager
from lifecycle.models import OffboardingChecklist
from lifecycle.services.offboarding import complete_task
from lifecycle.services.offboarding import ensure_exit_reasons
from lifecycle.services.offboarding import interview_pillars

#: what the demo's past exits say about each pillar, by score
COMMENTS = {1: "Stödet saknades helt.", 3: "Stödet fanns men kom sent.", 5: "Stödet fungerade mycket bra."}


def seed_demo_offboarding(today: date) -> None:
    """Half-do the first leaving manager's checklist; give each closed journey a past exit interview."""
    if db.session.scalar(select(ExitInterview.id).limit(1)) is not None:
        return
    ensure_exit_reasons()
    rng = random.Random(13)  # noqa: S311 (demo data, not secrets)
    leaving = db.session.scalars(
        select(OffboardingChecklist)
        .join(Manager, Manager.id == OffboardingChecklist.manager_id)
        .order_by(OffboardingChecklist.id)
    ).all()
    reasons = list(db.session.scalars(select(ExitReason).order_by(ExitReason.position)))
    pillars = interview_pillars()
    half_done = False
    for checklist in leaving:
        manager = checklist.manager
        if manager.stage is Stage.OFFBOARD and not half_done:
            tasks = [t for t in checklist.tasks if t.kind is not ActivityKind.EXIT_INTERVIEW]
            for task in tasks[: len(tasks) // 2]:
                complete_task(checklist, task, None, today)
            half_done = True
        elif manager.stage is Stage.CLOSED and pillars and reasons:
            reason = rng.choice(reasons)
            scores = [rng.choice((1, 2, 3, 3, 4, 4, 5)) for _ in pillars]
            left_on = manager.end_date or checklist.last_day
            db.session.add(
                ExitInterview(
                    checklist=checklist,
                    manager_id=manager.id,
                    org_unit_id=manager.org_unit_id,
                    left_on=left_on,
                    held_on=min(left_on, today),
                    voluntary=reason.code not in ("dismissal", "reorganisation"),
                    regrettable=rng.random() < 0.5,
                    reason=reason,
                    scores=[
                        ExitPillarScore(pillar=p, score=s, comment=COMMENTS.get(s, ""))
                        for p, s in zip(pillars, scores, strict=True)
                    ],
                )
            )
    db.session.flush()
