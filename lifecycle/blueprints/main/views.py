"""The start page: where each user's work begins."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template

from lifecycle.policy import is_hr
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.services.overview import direct_reports
from lifecycle.services.overview import stage_counts

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def index() -> str:
    """Show the user's own journey, their direct reports, and for HR the journey in numbers."""
    user = signed_in()
    own = user.manager
    return render_template(
        "main/index.html",
        own=own,
        reports=direct_reports(own, visible=visible_managers_clause(user)) if own is not None else [],
        counts=stage_counts() if is_hr(user) else None,
    )
