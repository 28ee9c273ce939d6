"""A person's audit trail: who changed or read their data, and when (HR and administrators)."""

from __future__ import annotations

from flask import render_template
from flask import request

from lifecycle.blueprints.managers.views import bp
from lifecycle.enums import Stage
from lifecycle.policy import get_manager_or_404
from lifecycle.policy import signed_in
from lifecycle.services.audit import ACTION_LABELS
from lifecycle.services.audit import AUDIT_FIELD_LABELS
from lifecycle.services.audit import OBJECT_LABELS
from lifecycle.services.audit import SOURCE_LABELS
from lifecycle.services.audit import audit_trail as trail_of
from lifecycle.services.timeline import FIELD_LABELS


@bp.get("/<id:manager_id>/audit")
def audit_trail(manager_id: int) -> str:
    """Show a page of the manager's audit trail, newest first."""
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    page = request.args.get("page", default=1, type=int) or 1
    return render_template(
        "managers/audit.html",
        manager=manager,
        trail=trail_of(manager, page),
        action_labels=ACTION_LABELS,
        object_labels=OBJECT_LABELS,
        source_labels=SOURCE_LABELS,
        field_labels={**AUDIT_FIELD_LABELS, **FIELD_LABELS},
        stage_titles={stage.value: stage.title for stage in Stage},
    )
