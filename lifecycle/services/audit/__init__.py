"""The audit log: who changed or read whose data, and when; recorded automatically on every flush.

Changes are recorded by a Session `after_flush` hook for the models registered with `audit_changes()`:
one row per changed object and subject, naming the changed fields, never their values. Reads are
recorded by the views that show a person's plan, reviews or profile to someone else, through
`record_read()`. Who acted and through what is said by the caller: `acting_as()` around an import, a
command or a task, and the web layer (`lifecycle.web_audit`) for a page or API request; otherwise it is
the system. Nothing here reads the request.

The modules, one responsibility each (callers import from the package):

- `vocabulary`: the actions and sources an audit row names
- `acting`: who is acting, and through what (`acting_as`, `begin_acting`, `current_context`)
- `audited`: which models are audited, and what each row's subject is found through
- `recording`: the flush hook that records changes; importing the package registers it, once
- `reads`: recording that someone read a person's data (`record_read`)
- `trail`: reading the log, a page of a person's audit trail at a time
- `labels`: the audit trail page's labels for actions, objects, sources and fields
"""

from lifecycle.services.audit import recording as _recording  # noqa: F401  (registers the flush hook)
from lifecycle.services.audit.acting import AuditContext
from lifecycle.services.audit.acting import acting_as
from lifecycle.services.audit.acting import begin_acting
from lifecycle.services.audit.acting import current_context
from lifecycle.services.audit.acting import end_acting
from lifecycle.services.audit.audited import Audited
from lifecycle.services.audit.audited import Ref
from lifecycle.services.audit.audited import audit_changes
from lifecycle.services.audit.labels import ACTION_LABELS
from lifecycle.services.audit.labels import AUDIT_FIELD_LABELS
from lifecycle.services.audit.labels import OBJECT_LABELS
from lifecycle.services.audit.labels import SOURCE_LABELS
from lifecycle.services.audit.reads import record_read
from lifecycle.services.audit.trail import EVENTS_PER_PAGE
from lifecycle.services.audit.trail import AuditTrail
from lifecycle.services.audit.trail import audit_trail
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

__all__ = [
    "ACTION_LABELS",
    "AUDIT_FIELD_LABELS",
    "CREATE",
    "DELETE",
    "EVENTS_PER_PAGE",
    "MOVE",
    "OBJECT_LABELS",
    "SOURCE_API",
    "SOURCE_CLI",
    "SOURCE_IMPORT",
    "SOURCE_LABELS",
    "SOURCE_SYSTEM",
    "SOURCE_WEB",
    "UPDATE",
    "VIEW",
    "AuditContext",
    "AuditTrail",
    "Audited",
    "Ref",
    "acting_as",
    "audit_changes",
    "audit_trail",
    "begin_acting",
    "current_context",
    "end_acting",
    "record_read",
]
