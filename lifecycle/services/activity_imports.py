"""The activity import's old path: it lives in `lifecycle.services.imports.activities` and `.activity_rows`.

Kept so callers of `lifecycle.services.activity_imports` keep working; monkeypatch the new modules,
whose code runs, not this one.
"""

from __future__ import annotations

from lifecycle.services.imports.activities import ACTIVITIES_TYPE
from lifecycle.services.imports.activities import SHOWN_NUMBERS
from lifecycle.services.imports.activities import ActivityImportPlan
from lifecycle.services.imports.activities import ExistingActivity
from lifecycle.services.imports.activities import PlannedActivity
from lifecycle.services.imports.activities import apply_activity_import
from lifecycle.services.imports.activities import plan_activity_import
from lifecycle.services.imports.activities import preview_activity_import
from lifecycle.services.imports.activity_rows import ACTIVITY_COLUMNS
from lifecycle.services.imports.activity_rows import COLUMN_HELP
from lifecycle.services.imports.activity_rows import FIELD_LABELS
from lifecycle.services.imports.activity_rows import HEADER_ALIASES
from lifecycle.services.imports.activity_rows import MAX_DESCRIPTION
from lifecycle.services.imports.activity_rows import MAX_PARTICIPANTS
from lifecycle.services.imports.activity_rows import MAX_REFERENCE
from lifecycle.services.imports.activity_rows import MAX_TITLE
from lifecycle.services.imports.activity_rows import REQUIRED_COLUMNS
from lifecycle.services.imports.activity_rows import ActivityValues
from lifecycle.services.imports.activity_rows import Change
from lifecycle.services.imports.activity_rows import Vocabulary
from lifecycle.services.imports.activity_rows import check_row
from lifecycle.services.imports.activity_rows import read_activity_file

__all__ = [
    "ACTIVITIES_TYPE",
    "ACTIVITY_COLUMNS",
    "COLUMN_HELP",
    "FIELD_LABELS",
    "HEADER_ALIASES",
    "MAX_DESCRIPTION",
    "MAX_PARTICIPANTS",
    "MAX_REFERENCE",
    "MAX_TITLE",
    "REQUIRED_COLUMNS",
    "SHOWN_NUMBERS",
    "ActivityImportPlan",
    "ActivityValues",
    "Change",
    "ExistingActivity",
    "PlannedActivity",
    "Vocabulary",
    "apply_activity_import",
    "check_row",
    "plan_activity_import",
    "preview_activity_import",
    "read_activity_file",
]
