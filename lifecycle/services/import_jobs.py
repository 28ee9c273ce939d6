"""Import jobs' old path: they live in `lifecycle.services.imports.jobs`.

Kept so callers of `lifecycle.services.import_jobs` keep working; monkeypatch `imports.jobs`, whose
code runs, not this module.
"""

from __future__ import annotations

from lifecycle.services.imports.jobs import CONFIRMABLE
from lifecycle.services.imports.jobs import LOCK_NAMESPACE
from lifecycle.services.imports.jobs import PROGRESS_STEP
from lifecycle.services.imports.jobs import UNFINISHED
from lifecycle.services.imports.jobs import ImportJobError
from lifecycle.services.imports.jobs import JobKind
from lifecycle.services.imports.jobs import ProgressReporter
from lifecycle.services.imports.jobs import execute_job
from lifecycle.services.imports.jobs import fail_job
from lifecycle.services.imports.jobs import failure_reason
from lifecycle.services.imports.jobs import kind_of
from lifecycle.services.imports.jobs import load_job
from lifecycle.services.imports.jobs import lock_job
from lifecycle.services.imports.jobs import queue_job
from lifecycle.services.imports.jobs import render_failure
from lifecycle.services.imports.jobs import run_job
from lifecycle.services.imports.jobs import start_job
from lifecycle.services.imports.jobs import unqueue_job

__all__ = [
    "CONFIRMABLE",
    "LOCK_NAMESPACE",
    "PROGRESS_STEP",
    "UNFINISHED",
    "ImportJobError",
    "JobKind",
    "ProgressReporter",
    "execute_job",
    "fail_job",
    "failure_reason",
    "kind_of",
    "load_job",
    "lock_job",
    "queue_job",
    "render_failure",
    "run_job",
    "start_job",
    "unqueue_job",
]
