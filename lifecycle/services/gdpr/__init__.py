"""One person's personal data (GDPR): export everything that refers to them, anonymise them, retention.

Both the export and the generic part of the anonymisation walk the model metadata rather than a list of
models, so a table added later is covered without anyone remembering to add it here:

- a column that refers to a person is any foreign key to `managers.id` or `users.id`. It either says
  whose data the row is (a *subject* column: not nullable or part of the primary key, like
  `development_plans.manager_id` or `api_tokens.user_id`) or that the person appears in someone else's
  row (a *mention*: nullable, like `stage_transitions.actor_id` or `managers.line_manager_id`). A column
  can state its kind with `info={"gdpr": "subject"}` or `info={"gdpr": "mention"}`; `SUBJECT_COLUMNS`
  holds the nullable columns that are subjects all the same.
- the anonymisation's sweep is the opposite: it rewrites only the free-text columns declared in
  `SWEPT_COLUMNS` (notes, comments, reasons, error messages, imported files), where it replaces the
  person's full name and e-mail address, now and earlier. Their employee number is replaced only where it
  stands on its own in imported data (`NUMBER_COLUMNS`) or right next to their name or e-mail: "2025" in
  another manager's plan is a year, not her. Every other text column is listed in `UNSWEPT_COLUMNS`
  with the reason, and the tests fail on a text column in neither list, so a new free-text column is
  reviewed rather than forgotten.

The package, by responsibility:

- `schema` — the schema walk: which columns refer to a person (`person_links`), which hold secrets,
  which free texts are swept (`SWEPT_COLUMNS`, `NUMBER_COLUMNS`) and which are not (`UNSWEPT_COLUMNS`);
- `export` — everything about one person as a JSON document (`export_person`, `export_account`);
- `sweep` — finding a person's name, address and number in free text and replacing them;
- `erasure` — anonymising people (`anonymise_person`, `anonymise_people`);
- `retention` — anonymising closed journeys past `GDPR_RETENTION_DAYS` (`apply_retention`).

A new table that points at a person is covered by its foreign key alone; a new free-text column is
declared once, in `SWEPT_COLUMNS` or `UNSWEPT_COLUMNS`.
"""

from lifecycle.services.gdpr.erasure import anonymise_people
from lifecycle.services.gdpr.erasure import anonymise_person
from lifecycle.services.gdpr.export import EXPORT_FORMAT
from lifecycle.services.gdpr.export import export_account
from lifecycle.services.gdpr.export import export_person
from lifecycle.services.gdpr.retention import DEFAULT_RETENTION_DAYS
from lifecycle.services.gdpr.retention import apply_retention
from lifecycle.services.gdpr.retention import retention_candidates
from lifecycle.services.gdpr.retention import retention_period
from lifecycle.services.gdpr.schema import NUMBER_COLUMNS
from lifecycle.services.gdpr.schema import PERSON_TABLES
from lifecycle.services.gdpr.schema import SUBJECT_COLUMNS
from lifecycle.services.gdpr.schema import SWEPT_COLUMNS
from lifecycle.services.gdpr.schema import UNSWEPT_COLUMNS
from lifecycle.services.gdpr.schema import PersonLink
from lifecycle.services.gdpr.schema import is_secret_column
from lifecycle.services.gdpr.schema import person_links
from lifecycle.services.gdpr.sweep import Identifiers
from lifecycle.services.gdpr.sweep import anonymised_email
from lifecycle.services.gdpr.sweep import anonymised_label
from lifecycle.services.gdpr.sweep import removed_text
from lifecycle.services.gdpr.sweep import sweep_identifiers
from lifecycle.services.gdpr.sweep import swept_columns

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "EXPORT_FORMAT",
    "NUMBER_COLUMNS",
    "PERSON_TABLES",
    "SUBJECT_COLUMNS",
    "SWEPT_COLUMNS",
    "UNSWEPT_COLUMNS",
    "Identifiers",
    "PersonLink",
    "anonymise_people",
    "anonymise_person",
    "anonymised_email",
    "anonymised_label",
    "apply_retention",
    "export_account",
    "export_person",
    "is_secret_column",
    "person_links",
    "removed_text",
    "retention_candidates",
    "retention_period",
    "sweep_identifiers",
    "swept_columns",
]
