"""Labels for the audit trail page: actions, kinds of object, sources and changed fields."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from lifecycle.services.audit.vocabulary import CREATE
from lifecycle.services.audit.vocabulary import DELETE
from lifecycle.services.audit.vocabulary import MOVE
from lifecycle.services.audit.vocabulary import SOURCE_API
from lifecycle.services.audit.vocabulary import SOURCE_CLI
from lifecycle.services.audit.vocabulary import SOURCE_IMPORT
from lifecycle.services.audit.vocabulary import SOURCE_SYSTEM
from lifecycle.services.audit.vocabulary import SOURCE_WEB
from lifecycle.services.audit.vocabulary import UPDATE
from lifecycle.services.audit.vocabulary import VIEW

ACTION_LABELS: dict[str, LazyString] = {
    VIEW: _l("Viewed"),
    CREATE: _l("Created"),
    UPDATE: _l("Changed"),
    DELETE: _l("Deleted"),
    MOVE: _l("Moved on the journey"),
    "export": _l("Exported"),
    "anonymise": _l("Anonymised"),
}

OBJECT_LABELS: dict[str, LazyString] = {
    "manager": _l("Profile"),
    "stage": _l("Stage"),
    "plan": _l("Development plan"),
    "goal": _l("Goal"),
    "comment": _l("Plan comment"),
    "review": _l("Development review"),
    "activity": _l("Activity"),
    "coverage": _l("Pillar coverage"),
    "introduction": _l("Introduction programme"),
    "candidacy": _l("Application for a vacancy"),
    "talent_profile": _l("Place in the talent pool"),
    "vacancy": _l("Vacancy"),
    "interview": _l("Interview"),
    "scorecard": _l("Scorecard"),
    "scorecard_amendment": _l("Scorecard amendment"),
    "decision": _l("Hiring decision"),
    "bank_entry": _l("Phrase or question of the recruitment banks"),
    "vacancy_ad": _l("Job ad"),
    "account": _l("User account"),
    "api_token": _l("API token"),
    "person": _l("All of the person's data"),
    # -- workshops ----
    "workshop": _l("Management-group workshop"),
    "workshop_participant": _l("Place in a management-group workshop"),
    "workshop_outcome": _l("Outcome of a management-group workshop"),
    "group_goal": _l("Group goal"),
    "workshop_question": _l("Question of the workshops' discussion guide"),
    # -- offboarding ----
    "offboarding": _l("Offboarding checklist"),
    "exit_interview": _l("Exit interview"),
    "exit_reason": _l("Reason for leaving"),
    # -- effect map ----
    "effect": _l("Effect of the effect map"),
    "effect_driver": _l("Driver of an effect"),
    "effect_obstacle": _l("Obstacle of an effect"),
}

SOURCE_LABELS: dict[str, LazyString] = {
    SOURCE_WEB: _l("Web"),
    SOURCE_API: _l("API"),
    SOURCE_IMPORT: _l("Import"),
    SOURCE_SYSTEM: _l("System"),
    SOURCE_CLI: _l("Command line"),
}

#: labels of changed fields beyond a manager's details (lifecycle.services.timeline.FIELD_LABELS)
AUDIT_FIELD_LABELS: dict[str, LazyString] = {
    "stage": _l("Stage"),
    "stage_entered_on": _l("Stage entered"),
    "user_id": _l("User account"),
    "anonymised_at": _l("Anonymised"),
    "starts_on": _l("Starts"),
    "ends_on": _l("Ends"),
    "notes": _l("Notes"),
    "description": _l("Description"),
    "target_on": _l("Target date"),
    "status": _l("Status"),
    "expectations": _l("Expectations"),
    "pillars": _l("Pillars"),
    "participants": _l("Participants"),
    "body": _l("Comment"),
    "scheduled_on": _l("Scheduled"),
    "completed_on": _l("Completed"),
    "cancelled_at": _l("Cancelled"),
    "next_steps": _l("Next steps"),
    "assessments": _l("Assessments"),
    "due_on": _l("Due"),
    "kind": _l("Kind"),
    "responsible_id": _l("Responsible"),
    "responsible_note": _l("Responsible"),
    "goal_id": _l("Goal"),
    "catalogue_item_id": _l("Catalogue item"),
    "template_id": _l("Template"),
    "password": _l("Password"),
    "is_enabled": _l("Enabled"),
    "roles": _l("Roles"),
    "revoked_at": _l("Revoked"),
    "source": _l("Source"),
    "consent_given_on": _l("Consent given"),
    "weights": _l("What the vacancy weighs"),
    "interviewers": _l("Recruitment group"),
    "hiring_manager_id": _l("Hiring manager"),
    "published_on": _l("Published on"),
    "closes_on": _l("Last day to apply"),
    "planned_start_on": _l("Planned start"),
    "starts_at": _l("Time"),
    "duration_minutes": _l("Length"),
    "location": _l("Place"),
    "panel": _l("Interviewers"),
    "submitted_at": _l("Submitted"),
    "scores": _l("Scores"),
}
