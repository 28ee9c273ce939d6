"""Importing managers and activities from CSV files (check first, then confirm) and exporting the board."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from flask import url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from lifecycle.blueprints.imports.forms import ConfirmForm
from lifecycle.blueprints.imports.forms import UploadForm
from lifecycle.blueprints.imports.forms import filters_from_args
from lifecycle.extensions import db
from lifecycle.i18n_messages import render as render_message
from lifecycle.models import ManagerImport
from lifecycle.models import User
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.services.activities import ActivityError
from lifecycle.services.activity_imports import ACTIVITIES_TYPE
from lifecycle.services.activity_imports import COLUMN_HELP as ACTIVITY_COLUMN_HELP
from lifecycle.services.activity_imports import confirm_activity_import
from lifecycle.services.activity_imports import preview_activity_import
from lifecycle.services.exports import csv_chunks
from lifecycle.services.exports import export_rows
from lifecycle.services.exports import xlsx_bytes
from lifecycle.services.imports import COLUMN_HELP
from lifecycle.services.imports import MAX_FILE_BYTES
from lifecycle.services.imports import ImportFileError
from lifecycle.services.imports import Outcome
from lifecycle.services.imports import PlanReport
from lifecycle.services.imports import confirm_import
from lifecycle.services.imports import get_import
from lifecycle.services.imports import preview_import
from lifecycle.services.imports import recent_imports
from lifecycle.services.journey import StageMoveError
from lifecycle.services.managers import ManagerDetailsError
from lifecycle.services.pipeline import stuck_thresholds
from lifecycle.timeutil import local_today

# No prefix: managers are imported under /managers, activities under /activities.
bp = Blueprint("imports", __name__, template_folder="templates")
# A report keeps its messages language-neutral; they are translated for whoever reads the report.
bp.add_app_template_filter(render_message, "stored_message")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ImportKind:
    """What differs between importing managers and importing activities; the pages are the same."""

    #: the kept files' `summary["type"]` (None for managers)
    import_type: str | None
    #: the endpoints' prefix: "" for managers, "activities_" for activities
    prefix: str
    title: LazyString
    #: the report's title, with %(filename)s
    report_title: LazyString
    intro: tuple[LazyString, ...]
    columns_caption: LazyString
    recent_caption: LazyString
    columns: Sequence[tuple[str, str, LazyString]]
    #: the report's columns naming each row: (heading, key in the stored row)
    identity: tuple[tuple[LazyString, str], ...]
    preview: Callable[[bytes, str, User, date], ManagerImport]
    confirm: Callable[[ManagerImport, User, date], PlanReport]
    #: what the confirmation refuses with a message instead of an error page
    refusals: tuple[type[Exception], ...]
    #: the message when someone changed the same rows at the same time
    race_message: LazyString
    offers_export: bool = False

    def endpoint(self, page: str) -> str:
        return f"imports.{self.prefix}{page}"


MANAGERS = ImportKind(
    import_type=None,
    prefix="",
    title=_l("Import managers"),
    report_title=_l("Import of %(filename)s"),
    intro=(
        _l(
            "Upload a CSV file exported from the payroll or HR system. The file is checked first and "
            "nothing changes: you get a report row by row, and import it when you confirm. A file with "
            "any error imports nothing until it is fixed."
        ),
    ),
    columns_caption=_l("Columns of the import file"),
    recent_caption=_l("The latest checked and imported files"),
    columns=COLUMN_HELP,
    identity=((_l("Employee number"), "employee_number"), (_l("Name"), "name")),
    preview=lambda content, name, user, today: preview_import(content, name, uploaded_by=user, today=today),
    confirm=lambda record, user, today: confirm_import(record, actor=user, today=today),
    refusals=(ImportFileError, StageMoveError, ManagerDetailsError),
    race_message=_l("Someone changed the same managers at the same time. Nothing was imported; try again."),
    offers_export=True,
)

ACTIVITIES = ImportKind(
    import_type=ACTIVITIES_TYPE,
    prefix="activities_",
    title=_l("Import activities"),
    report_title=_l("Import of activities from %(filename)s"),
    intro=(
        _l(
            "Upload a CSV file of activities that happened elsewhere, such as a training system's "
            "attendance lists or workshops, so they count towards each manager's pillars. The file is "
            "checked first and nothing changes: you get a report row by row, and import it when you "
            "confirm. A file with any error imports nothing until it is fixed."
        ),
        _l(
            "Every activity builds at least one pillar: a row without a pillar is an error. Each row "
            "needs the activity's reference in the source system, so importing the same file again "
            "changes nothing, and a changed row updates its activity."
        ),
    ),
    columns_caption=_l("Columns of the activity import file"),
    recent_caption=_l("The latest checked and imported files of activities"),
    columns=ACTIVITY_COLUMN_HELP,
    identity=(
        (_l("Reference"), "reference"),
        (_l("Activity title"), "title"),
        (_l("Participants"), "participants"),
    ),
    preview=lambda content, name, user, today: preview_activity_import(
        content, name, uploaded_by=user, today=today
    ),
    confirm=lambda record, user, today: confirm_activity_import(record, actor=user, today=today),
    refusals=(ImportFileError, ActivityError),
    race_message=_l(
        "Someone imported the same activities at the same time. Nothing was imported; try again."
    ),
)


def _import_or_404(kind: ImportKind, import_id: int, for_update: bool = False) -> ManagerImport:
    record = get_import(import_id, for_update=for_update, import_type=kind.import_type)
    if record is None:
        abort(404)
    return record


def _upload(kind: ImportKind) -> str | BaseResponse:
    """Take a CSV file, check every row without changing anything, and show the report."""
    user = signed_in()
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        try:
            record = kind.preview(file.read(MAX_FILE_BYTES + 1), file.filename or "", user, local_today())
        except ImportFileError as exc:
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            return redirect(url_for(kind.endpoint("report"), import_id=record.id))
    return render_template(
        "imports/upload.html", kind=kind, form=form, imports=recent_imports(import_type=kind.import_type)
    )


def _report(kind: ImportKind, import_id: int) -> str:
    """Show the checked file row by row, and the confirm button when it can be imported."""
    signed_in()
    record = _import_or_404(kind, import_id)
    return render_template(
        "imports/report.html",
        kind=kind,
        record=record,
        summary=record.summary,
        form=ConfirmForm(),
        Outcome=Outcome,
    )


def _confirm(kind: ImportKind, import_id: int) -> BaseResponse:
    """Check the kept file again against today's data and import it if it still has no errors."""
    user = signed_in()
    record = _import_or_404(kind, import_id, for_update=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    target = url_for(kind.endpoint("report"), import_id=import_id)
    if record.committed_at is not None:
        flash(_("This file has already been imported."), "info")
        return redirect(target)
    try:
        plan = kind.confirm(record, user, local_today())
        db.session.commit()
    except kind.refusals as exc:
        db.session.rollback()
        flash(_("Nothing was imported: %(problem)s", problem=str(exc)), "error")
        return redirect(target)
    except IntegrityError:
        db.session.rollback()
        flash(str(kind.race_message), "error")
        return redirect(target)
    counts = plan.counts
    if plan.has_errors:
        flash(
            _(
                "The data has changed since the file was checked, and %(count)d rows now have errors. "
                "Nothing was imported; see the report.",
                count=counts["error"],
            ),
            "error",
        )
    else:
        flash(
            _(
                "Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.",
                created=counts["created"],
                updated=counts["updated"],
                unchanged=counts["unchanged"],
            ),
            "success",
        )
    return redirect(target)


@bp.route("/managers/import", methods=["GET", "POST"])
def upload() -> str | BaseResponse:
    return _upload(MANAGERS)


@bp.get("/managers/import/<int:import_id>")
def report(import_id: int) -> str:
    return _report(MANAGERS, import_id)


@bp.post("/managers/import/<int:import_id>/confirm")
def confirm(import_id: int) -> BaseResponse:
    return _confirm(MANAGERS, import_id)


# Activities that happened elsewhere (a training system's attendance lists, workshops).
@bp.route("/activities/import", methods=["GET", "POST"])
def activities_upload() -> str | BaseResponse:
    return _upload(ACTIVITIES)


@bp.get("/activities/import/<int:import_id>")
def activities_report(import_id: int) -> str:
    return _report(ACTIVITIES, import_id)


@bp.post("/activities/import/<int:import_id>/confirm")
def activities_confirm(import_id: int) -> BaseResponse:
    return _confirm(ACTIVITIES, import_id)


# -- export ------------------------------------------------------------------------------------------


def _download_headers(extension: str) -> dict[str, str]:
    filename = f"chefer-{local_today().isoformat()}.{extension}"
    # Personal data: never kept in a shared or browser cache.
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


@bp.get("/managers/export.csv")
def export_csv() -> Response:
    """Stream the filtered board as a CSV file that Swedish Excel opens and the import reads back."""
    user = signed_in()
    filters = filters_from_args(request.args, stuck_thresholds(current_app.config["STUCK_AFTER_DAYS"]))
    rows = export_rows(visible_managers_clause(user), filters, local_today())
    return Response(
        stream_with_context(csv_chunks(rows)),
        content_type="text/csv; charset=utf-8",
        headers=_download_headers("csv"),
    )


@bp.get("/managers/export.xlsx")
def export_xlsx() -> Response:
    """Send the filtered board as an Excel workbook."""
    user = signed_in()
    filters = filters_from_args(request.args, stuck_thresholds(current_app.config["STUCK_AFTER_DAYS"]))
    rows = export_rows(visible_managers_clause(user), filters, local_today())
    return Response(
        xlsx_bytes(rows, sheet_title=_("Managers")),
        content_type=XLSX_MIMETYPE,
        headers=_download_headers("xlsx"),
    )
