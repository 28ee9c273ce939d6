"""The upload and confirm forms, and the export's filters read from the query string."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from werkzeug.datastructures import MultiDict

from lifecycle.enums import Stage
from lifecycle.services.pipeline import ManagerFilter

FALSE_WORDS = frozenset({"", "0", "false", "no", "n", "off"})


class UploadForm(FlaskForm):  # type: ignore[misc]
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a file to upload.")),
            FileAllowed(["csv", "txt"], _l("Choose a CSV file (.csv), saved from Excel as “CSV UTF-8”.")),
        ],
    )


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: confirming takes no input."""


def _positive_int(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    number = int(value)
    return number if number > 0 else None


def filters_from_args(args: MultiDict[str, str], stuck_after: Mapping[Stage, int]) -> ManagerFilter:
    """Read the board's filters (unit, line_manager, hr_partner, q, stuck, stage) from a query string.

    Values the board itself would ignore (not a number, an unknown stage) are ignored here too, so an
    export always holds what the board shows.
    """
    known = {stage.value: stage for stage in Stage}
    stuck = (args.get("stuck") or "").strip().lower() not in FALSE_WORDS
    stages = tuple(dict.fromkeys(known[value] for value in args.getlist("stage") if value in known))
    return ManagerFilter(
        unit_id=_positive_int(args.get("unit")),
        line_manager_query=(args.get("line_manager") or "").strip(),
        hr_partner_id=_positive_int(args.get("hr_partner")),
        query=(args.get("q") or "").strip(),
        stuck_after=stuck_after if stuck else None,
        stages=stages or Stage.journey(),
    )
