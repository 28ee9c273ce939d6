"""A manager's record."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template

from lifecycle.policy import current
from lifecycle.policy import get_manager_or_404
from lifecycle.policy import visible_managers_clause
from lifecycle.services.overview import direct_reports

bp = Blueprint("managers", __name__, url_prefix="/managers", template_folder="templates")


@bp.get("/<int:manager_id>")
def detail(manager_id: int) -> str:
    """Show who the manager is, where they work and where they are on the journey."""
    user = current()
    manager = get_manager_or_404(user, manager_id)
    return render_template(
        "managers/detail.html",
        manager=manager,
        reports=direct_reports(manager, visible=visible_managers_clause(user)),
    )
