"""Importing managers and activities from CSV files (check first, then confirm) and exporting the board."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

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
from werkzeug.wrappers import Response as BaseResponse

from lifecycle.blueprints.imports.forms import ConfirmForm
from lifecycle.blueprints.imports.forms import UploadForm
from lifecycle.blueprints.imports.forms import filters_from_args
from lifecycle.enums import ImportStatus
from lifecycle.extensions import db
from lifecycle.i18n_messages import render as render_message
from lifecycle.models import ManagerImport
from lifecycle.models import User
from lifecycle.models import Vacancy
from lifecycle.policy import get_managed_vacancy_or_404
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.services.activity_imports import ACTIVITIES_TYPE
from lifecycle.services.activity_imports import COLUMN_HELP as ACTIVITY_COLUMN_HELP
from lifecycle.services.activity_imports import preview_activity_import
from lifecycle.services.exports import csv_chunks
from lifecycle.services.exports import export_rows
from lifecycle.services.exports import xlsx_bytes
from lifecycle.services.import_jobs import UNFINISHED
from lifecycle.services.import_jobs import ImportJobError
from lifecycle.services.import_jobs import queue_job
from lifecycle.services.import_jobs import unqueue_job
from lifecycle.services.imports import COLUMN_HELP
from lifecycle.services.imports import MAX_FILE_BYTES
from lifecycle.services.imports import ImportFileError
from lifecycle.services.imports import Outcome
from lifecycle.services.imports import get_import
from lifecycle.services.imports import preview_import
from lifecycle.services.imports import recent_imports
from lifecycle.services.imports.candidate_rows import COLUMN_HELP as CANDIDATE_COLUMN_HELP
from lifecycle.services.imports.candidates import CANDIDATES_TYPE
from lifecycle.services.imports.candidates import preview_candidate_import
from lifecycle.services.pipeline import stuck_thresholds
from lifecycle.timeutil import local_today

# No prefix: managers are imported under /managers, activities under /activities.
logger = logging.getLogger(__name__)

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
    #: checks an upload and keeps it: (content, filename, uploader, today, vacancy)
    preview: Callable[[bytes, str, User, date, Vacancy | None], ManagerImport]
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
    preview=lambda content, name, user, today, _vacancy: preview_import(
        content, name, uploaded_by=user, today=today
    ),
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
    preview=lambda content, name, user, today, _vacancy: preview_activity_import(
        content, name, uploaded_by=user, today=today
    ),
)


def _preview_candidates(
    content: bytes, name: str, user: User, today: date, vacancy: Vacancy | None
) -> ManagerImport:
    if vacancy is None:  # the candidate pages always pass their vacancy
        abort(404)
    return preview_candidate_import(content, name, uploaded_by=user, today=today, vacancy=vacancy)


# Applicants exported from a recruitment system, into one vacancy (its pages pass it as the scope).
CANDIDATES = ImportKind(
    import_type=CANDIDATES_TYPE,
    prefix="candidates_",
    title=_l("Import candidates"),
    report_title=_l("Import of candidates from %(filename)s"),
    intro=(
        _l(
            "Upload the applicants of this vacancy as a CSV file exported from the recruitment system "
            "(such as Varbi or ReachMee). The file is checked first and nothing changes: you get a "
            "report row by row, and import it when you confirm. A file with any error imports nothing "
            "until it is fixed."
        ),
        _l(
            "An applicant whose e-mail address belongs to someone on the journey (the talent pool, a "
            "manager in post) is linked to the vacancy; anyone else enters the journey as a new "
            "applicant. Each row needs the application's id in the recruitment system, so importing "
            "the same file again changes nothing."
        ),
    ),
    columns_caption=_l("Columns of the candidate import file"),
    recent_caption=_l("The latest checked and imported files of candidates for this vacancy"),
    columns=CANDIDATE_COLUMN_HELP,
    identity=((_l("Reference"), "reference"), (_l("Name"), "name"), (_l("E-mail"), "email")),
    preview=_preview_candidates,
)


def _scope_args(vacancy: Vacancy | None) -> dict[str, Any]:
    """The URL values of the pages of a file imported into a vacancy; none for the other kinds."""
    return {"vacancy_id": vacancy.id} if vacancy is not None else {}


def _import_or_404(
    kind: ImportKind, import_id: int, for_update: bool = False, vacancy: Vacancy | None = None
) -> ManagerImport:
    record = get_import(
        import_id,
        for_update=for_update,
        import_type=kind.import_type,
        vacancy_id=vacancy.id if vacancy is not None else None,
    )
    if record is None:
        abort(404)
    return record


def _upload(kind: ImportKind, vacancy: Vacancy | None = None) -> str | BaseResponse:
    """Take a CSV file, check every row without changing anything, and show the report."""
    user = signed_in()
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        try:
            record = kind.preview(
                file.read(MAX_FILE_BYTES + 1), file.filename or "", user, local_today(), vacancy
            )
        except ImportFileError as exc:
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            return redirect(url_for(kind.endpoint("report"), import_id=record.id, **_scope_args(vacancy)))
    return render_template(
        "imports/upload.html",
        kind=kind,
        form=form,
        imports=recent_imports(
            import_type=kind.import_type, vacancy_id=vacancy.id if vacancy is not None else None
        ),
        vacancy=vacancy,
        scope_args=_scope_args(vacancy),
    )


def _report(kind: ImportKind, import_id: int, vacancy: Vacancy | None = None) -> str:
    """Show the checked file row by row, and the confirm button when it can be imported."""
    signed_in()
    record = _import_or_404(kind, import_id, vacancy=vacancy)
    return render_template(
        "imports/report.html",
        kind=kind,
        record=record,
        summary=record.summary,
        form=ConfirmForm(),
        Outcome=Outcome,
        ImportStatus=ImportStatus,
        vacancy=vacancy,
        scope_args=_scope_args(vacancy),
    )


def _confirm(kind: ImportKind, import_id: int, vacancy: Vacancy | None = None) -> BaseResponse:
    """Hand the kept file to the worker, which checks it again and imports it; show its progress."""
    user = signed_in()
    record = _import_or_404(kind, import_id, for_update=True, vacancy=vacancy)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    progress = url_for(kind.endpoint("progress"), import_id=import_id, **_scope_args(vacancy))
    try:
        queue_job(record, user)
    except ImportJobError as exc:
        db.session.rollback()
        flash(str(exc), "info")
        return redirect(progress)
    db.session.commit()
    try:
        # Queued after the commit, so the worker always finds the job it is given.
        current_app.extensions["celery"].send_task("imports.run", args=[import_id])
    except Exception:
        logger.exception("could not queue import %s", import_id)
        unqueue_job(_import_or_404(kind, import_id, for_update=True, vacancy=vacancy))
        db.session.commit()
        flash(
            _(
                "The import could not be started: the worker is not reachable. Nothing was imported; "
                "try again later."
            ),
            "error",
        )
        return redirect(url_for(kind.endpoint("report"), import_id=import_id, **_scope_args(vacancy)))
    return redirect(progress)


def _progress(kind: ImportKind, import_id: int, vacancy: Vacancy | None = None) -> str:
    """Show how far the worker is with the import; the page reloads itself until the job has ended."""
    signed_in()
    record = _import_or_404(kind, import_id, vacancy=vacancy)
    running = record.status in UNFINISHED
    return render_template(
        "imports/progress.html",
        kind=kind,
        record=record,
        summary=record.summary,
        running=running,
        refresh=running and request.args.get("refresh") != "off",
        percent=(100 * record.rows_done // record.rows_total) if record.rows_total else 0,
        form=ConfirmForm(),
        Outcome=Outcome,
        ImportStatus=ImportStatus,
        vacancy=vacancy,
        scope_args=_scope_args(vacancy),
    )


@bp.route("/managers/import", methods=["GET", "POST"])
def upload() -> str | BaseResponse:
    return _upload(MANAGERS)


@bp.get("/managers/import/<int:import_id>")
def report(import_id: int) -> str:
    return _report(MANAGERS, import_id)


@bp.post("/managers/import/<int:import_id>/confirm")
def confirm(import_id: int) -> BaseResponse:
    return _confirm(MANAGERS, import_id)


@bp.get("/managers/import/<int:import_id>/progress")
def progress(import_id: int) -> str:
    return _progress(MANAGERS, import_id)


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


@bp.get("/activities/import/<int:import_id>/progress")
def activities_progress(import_id: int) -> str:
    return _progress(ACTIVITIES, import_id)


# A recruitment system's applicants, into the vacancy whose page HR starts from.
CANDIDATES_URL = "/vacancies/<int(min=1, max=2147483647):vacancy_id>/candidates/import"


@bp.route(CANDIDATES_URL, methods=["GET", "POST"])
def candidates_upload(vacancy_id: int) -> str | BaseResponse:
    return _upload(CANDIDATES, get_managed_vacancy_or_404(signed_in(), vacancy_id))


@bp.get(f"{CANDIDATES_URL}/<int:import_id>")
def candidates_report(vacancy_id: int, import_id: int) -> str:
    return _report(CANDIDATES, import_id, get_managed_vacancy_or_404(signed_in(), vacancy_id))


@bp.post(f"{CANDIDATES_URL}/<int:import_id>/confirm")
def candidates_confirm(vacancy_id: int, import_id: int) -> BaseResponse:
    return _confirm(CANDIDATES, import_id, get_managed_vacancy_or_404(signed_in(), vacancy_id))


@bp.get(f"{CANDIDATES_URL}/<int:import_id>/progress")
def candidates_progress(vacancy_id: int, import_id: int) -> str:
    return _progress(CANDIDATES, import_id, get_managed_vacancy_or_404(signed_in(), vacancy_id))


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
