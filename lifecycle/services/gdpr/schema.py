"""Which columns refer to a person, which hold secrets, and which free texts the sweep rewrites.

See the package's docstring: the export and the anonymisation walk the model metadata through this.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column
from sqlalchemy import Table

from lifecycle.extensions import db

logger = logging.getLogger(__name__)

#: the tables of people; a foreign key to one of their ids refers to a person
PERSON_TABLES = ("managers", "users")
#: nullable columns that nonetheless say whose data the row is
SUBJECT_COLUMNS = frozenset({("audit_events", "subject_manager_id"), ("audit_events", "subject_user_id")})
#: columns never exported and never rewritten: secrets, and hashes of secrets
SECRET_NAMES = frozenset({"password", "password_hash", "session_token", "calendar_token", "token_digest"})
SECRET_SUFFIXES = ("_hash", "_token", "_digest", "_secret", "_password")
#: The free-text columns that may mention a person (a name or an e-mail address in a note, a comment, a
#: reason, an error message, an imported file): the only columns the anonymisation's sweep rewrites.
#: Of the append-only tables, only stage_transitions.reason, manager_changes.old_value/new_value and
#: audit_events.detail may change inside the erasure window, so nothing else of theirs belongs here.
SWEPT_COLUMNS = frozenset(
    {
        ("development_plans", "notes"),
        ("plan_goals", "title"),
        ("plan_goals", "description"),
        ("plan_comments", "body"),
        ("development_reviews", "next_steps"),
        ("review_assessments", "comment"),
        ("activities", "title"),
        ("activities", "description"),
        ("activities", "responsible_note"),
        ("stage_transitions", "reason"),
        # HR's short note on a pool member: theirs is deleted with them, but it may name someone else
        ("talent_profiles", "notes"),
        ("manager_changes", "old_value"),
        ("manager_changes", "new_value"),
        ("audit_events", "detail"),
        ("reminders", "last_error"),
        ("api_tokens", "name"),
        # an ad's texts are HR's, but may name a contact person or the one the new manager succeeds
        ("vacancies", "title"),
        ("vacancies", "unit_text"),
        ("vacancies", "role_text"),
        # what interviewers heard from a candidate, why a score or the hiring changed, the meeting place
        ("scorecard_scores", "evidence"),
        ("scorecard_amendments", "evidence"),
        ("scorecard_amendments", "reason"),
        ("vacancy_decisions", "reason"),
        ("interviews", "location"),
        # the ad's own copies of those texts, and HR's own words for a paragraph
        ("vacancy_ads", "unit_text"),
        ("vacancy_ads", "role_text"),
        ("vacancy_ad_paragraphs", "own_text"),
        # what stands in a manager's way, and HR's explanation: may name a colleague or a contact
        ("obstacles", "title"),
        ("obstacles", "description"),
        ("obstacles", "explanation"),
        # an obstacle's history: old and new explanations and HR's comments
        ("obstacle_events", "old_value"),
        ("obstacle_events", "new_value"),
        # -- mentoring: what the study found about a role model, a mentorship's goals and why it ended
        ("role_models", "study_note"),
        ("mentorships", "goals"),
        ("mentorships", "ended_reason"),
        ("manager_imports", "filename"),
        ("manager_imports", "content"),
        ("manager_imports", "summary"),
        # why an import failed: the app's own messages, but one may quote a value of the file
        ("manager_imports", "failure"),
        # -- workshops ----
        # what a management group said and chose: may name a colleague, a partner, a participant
        ("workshops", "title"),
        ("workshop_outcomes", "notes"),
        ("group_goals", "text"),
        # -- offboarding ----
        # what a leaving manager said in the exit interview: personal, and may name a colleague
        ("exit_interviews", "comment"),
        ("exit_pillar_scores", "comment"),
        # -- effect map ----
        # HR's own words for a driver or an obstacle and an effect's description: about the organisation,
        # but free text that may name a colleague
        ("effect_drivers", "text_sv"),
        ("effect_drivers", "text_en"),
        ("effect_obstacles", "text_sv"),
        ("effect_obstacles", "text_en"),
        ("effects", "description_sv"),
        ("effects", "description_en"),
    }
)
#: Imported data, where a person's employee number stands on its own: the cells of an uploaded CSV
#: file's employee-number columns ("csv"), a value or a message of the import's report ("report").
#: Anywhere else a number is a year, a count or a code as often as it is someone, so it is removed only
#: right next to their name or e-mail.
NUMBER_COLUMNS = {
    ("manager_imports", "content"): "csv",
    ("manager_imports", "summary"): "report",
}
#: Text columns that cannot mention a person, so the sweep never touches them:
#: - HR's and the platform's own texts: the catalogue, introduction templates and their milestones, the
#:   organisation, the platform with its pillars and expectations, the settings;
#: - keys, codes, digests and secrets;
#: - people's own identity columns: the person's own are cleared directly, and someone who shares her
#:   name keeps it.
UNSWEPT_COLUMNS = frozenset(
    {
        ("app_settings", "key"),
        ("app_settings", "value"),
        ("catalogue_items", "title"),
        ("catalogue_items", "description"),
        # HR's and the platform file's phrases and questions for the recruitment, about no one
        ("recruitment_bank_entries", "text"),
        ("heartbeats", "name"),
        ("introduction_templates", "name"),
        ("introduction_templates", "description"),
        ("template_milestones", "title"),
        ("template_milestones", "description"),
        ("org_units", "name"),
        ("org_units", "path"),
        ("platforms", "key"),
        ("platforms", "municipality_sv"),
        ("platforms", "municipality_en"),
        ("platforms", "name_sv"),
        ("platforms", "name_en"),
        ("platforms", "promise_sv"),
        ("platforms", "promise_en"),
        ("platforms", "whole_sv"),
        ("platforms", "whole_en"),
        ("platforms", "purpose_sv"),
        ("platforms", "purpose_en"),
        ("platforms", "values"),
        ("platforms", "defaults"),
        ("pillars", "key"),
        ("pillars", "name_sv"),
        ("pillars", "name_en"),
        ("pillars", "description_sv"),
        ("pillars", "description_en"),
        ("pillars", "trait_sv"),
        ("pillars", "trait_en"),
        ("expectations", "key"),
        ("expectations", "text_sv"),
        ("expectations", "text_en"),
        ("users", "name"),
        ("users", "email"),
        ("users", "password_hash"),
        ("users", "session_token"),
        ("users", "calendar_token"),
        ("managers", "name"),
        ("managers", "email"),
        ("managers", "employee_number"),
        ("managers", "title"),
        ("api_tokens", "token_digest"),
        ("api_tokens", "prefix"),
        ("password_reset_tokens", "token_digest"),
        ("invitations", "token_digest"),
        # a mail server's answer; it may quote the address, so the rows go with the account (below)
        ("invitations", "send_error"),
        ("manager_imports", "digest"),
        ("audit_events", "action"),
        ("audit_events", "object_type"),
        ("audit_events", "source"),
        ("manager_changes", "field"),
        ("manager_changes", "source"),
        ("activities", "import_reference"),
        # an id in the recruitment system, never a name; the erasure clears it (it leads back there)
        ("candidacies", "import_reference"),
        ("reminders", "item_key"),
        # which of an obstacle's fields changed: a code
        ("obstacle_events", "field"),
        ("reminders", "message_id"),
        # -- workshops ----
        # HR's and the platform file's questions for the discussion guide, about no one
        ("workshop_questions", "text"),
        # -- offboarding ----
        # HR's list of reasons for leaving, about no one
        ("exit_reasons", "code"),
        ("exit_reasons", "name_sv"),
        ("exit_reasons", "name_en"),
        # -- effect map ----
        # an effect's title, the platform file's key for it and the pulse statement it is measured by
        ("effects", "title_sv"),
        ("effects", "title_en"),
        ("effects", "seed_key"),
        ("effects", "measure_statement"),
    }
)


# -- the schema's references to people ---------------------------------------------------------------


@dataclass(frozen=True)
class PersonLink:
    """A column that refers to a person: the row is theirs (subject) or only mentions them."""

    table: Table
    column: Column[Any]
    #: "managers" or "users"
    target: str
    is_subject: bool

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"


def _is_subject(table: Table, column: Column[Any]) -> bool:
    declared = column.info.get("gdpr")
    if declared in ("subject", "mention"):
        return bool(declared == "subject")
    if (table.name, column.name) in SUBJECT_COLUMNS:
        return True
    if table.name in PERSON_TABLES:
        # Another person's record naming them (line manager, mentor, HR partner).
        return False
    return bool(column.primary_key or not column.nullable)


def person_links() -> list[PersonLink]:
    """Return every column of the schema that refers to a manager or a user, classified."""
    links = []
    for table in db.metadata.sorted_tables:
        for foreign_key in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
            target = foreign_key.column.table.name
            if target in PERSON_TABLES and foreign_key.column.primary_key:
                column = foreign_key.parent
                links.append(PersonLink(table, column, target, _is_subject(table, column)))
    return links


def is_secret_column(name: str) -> bool:
    """Whether a column holds a secret (or a hash of one): never exported, never rewritten."""
    return name in SECRET_NAMES or name.endswith(SECRET_SUFFIXES)


def is_association(table: Table) -> bool:
    """A pure link table (e.g. activity_participants): every column is a foreign key in the primary key."""
    return all(column.primary_key and column.foreign_keys for column in table.columns)


# -- reading and writing in chunks ----------------------------------------------------------------

#: rows read or written per statement
CHUNK = 500
RowKey = tuple[Any, ...]


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
