"""The leadership platform, read-only, for everyone who logs in."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template

from lifecycle.services.platform import get_platform

bp = Blueprint("platform", __name__, template_folder="templates")


@bp.get("/platform")
def show() -> str:
    """Show the pillars, their expectations and traits, the values and the employer's promise."""
    return render_template("platform/show.html", platform=get_platform())
