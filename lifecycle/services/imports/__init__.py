"""Importing files: managers from the payroll/HR system, activities from a training system.

- `files`: reading an uploaded CSV file (its header's columns, its rows' cells), for every kind, with
  the CSV reader the exports and the GDPR sweep share (`lifecycle.services.csv_files`);
- `reports`: what every kind's plan shares (outcomes, changes, the report kept with the file);
- `records`: the kept files (`ManagerImport` rows), from preview to confirmation;
- `manager_rows`, `managers`, `manager_writer`: the manager import's columns and row check, its
  planner, and applying its plan;
- `activity_rows`, `activities`: the activity import's columns and row check, its planner and writer;
- `jobs`: writing a confirmed file in the worker, whatever its kind.

The package re-exports what `lifecycle.services.imports` offered when it was one module (the manager
import and what every kind shares), so those imports keep working, as `lifecycle.services.activity_imports`
and `lifecycle.services.import_jobs` re-export theirs. Monkeypatch a module's own attribute where the
code that reads it lives (`files.MAX_ROWS`), not a re-export.
"""

from __future__ import annotations

from lifecycle.services.imports.files import DATE_PATTERN
from lifecycle.services.imports.files import MAX_FILE_BYTES
from lifecycle.services.imports.files import MAX_ROWS
from lifecycle.services.imports.files import ColumnSpec
from lifecycle.services.imports.files import CsvRow
from lifecycle.services.imports.files import ImportFile
from lifecycle.services.imports.files import ImportFileError
from lifecycle.services.imports.files import parse_date
from lifecycle.services.imports.manager_rows import COLUMN_HELP
from lifecycle.services.imports.manager_rows import FIELD_LABELS
from lifecycle.services.imports.manager_rows import HEADER_ALIASES
from lifecycle.services.imports.manager_rows import IGNORED_HEADERS
from lifecycle.services.imports.manager_rows import MANAGER_COLUMNS
from lifecycle.services.imports.manager_rows import MAX_UNIT_DEPTH
from lifecycle.services.imports.manager_rows import REQUIRED_COLUMNS
from lifecycle.services.imports.manager_rows import STAGE_NAMES
from lifecycle.services.imports.manager_rows import Change
from lifecycle.services.imports.manager_rows import RowValues
from lifecycle.services.imports.manager_rows import check_row
from lifecycle.services.imports.manager_rows import email_problem
from lifecycle.services.imports.manager_rows import parse_stage
from lifecycle.services.imports.manager_rows import read_import_file
from lifecycle.services.imports.manager_writer import BATCH_SIZE
from lifecycle.services.imports.manager_writer import IMPORT_REASON
from lifecycle.services.imports.manager_writer import IMPORT_SOURCE
from lifecycle.services.imports.manager_writer import Progress
from lifecycle.services.imports.manager_writer import apply_import
from lifecycle.services.imports.managers import ExistingManager
from lifecycle.services.imports.managers import ImportPlan
from lifecycle.services.imports.managers import PlannedRow
from lifecycle.services.imports.managers import plan_import
from lifecycle.services.imports.managers import preview_import
from lifecycle.services.imports.records import digest_of
from lifecycle.services.imports.records import get_import
from lifecycle.services.imports.records import keep_applied_file
from lifecycle.services.imports.records import keep_checked_file
from lifecycle.services.imports.records import recent_imports
from lifecycle.services.imports.reports import IN_CHUNK
from lifecycle.services.imports.reports import REPORT_ROW_LIMIT
from lifecycle.services.imports.reports import ImportHasErrorsError
from lifecycle.services.imports.reports import Outcome
from lifecycle.services.imports.reports import PlanReport
from lifecycle.services.imports.reports import report_lines

__all__ = [
    "BATCH_SIZE",
    "COLUMN_HELP",
    "DATE_PATTERN",
    "FIELD_LABELS",
    "HEADER_ALIASES",
    "IGNORED_HEADERS",
    "IMPORT_REASON",
    "IMPORT_SOURCE",
    "IN_CHUNK",
    "MANAGER_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNIT_DEPTH",
    "REPORT_ROW_LIMIT",
    "REQUIRED_COLUMNS",
    "STAGE_NAMES",
    "Change",
    "ColumnSpec",
    "CsvRow",
    "ExistingManager",
    "ImportFile",
    "ImportFileError",
    "ImportHasErrorsError",
    "ImportPlan",
    "Outcome",
    "PlanReport",
    "PlannedRow",
    "Progress",
    "RowValues",
    "apply_import",
    "check_row",
    "digest_of",
    "email_problem",
    "get_import",
    "keep_applied_file",
    "keep_checked_file",
    "parse_date",
    "parse_stage",
    "plan_import",
    "preview_import",
    "read_import_file",
    "recent_imports",
    "report_lines",
]
