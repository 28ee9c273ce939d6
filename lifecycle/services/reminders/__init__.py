"""Reminder e-mails: HR's rules, the outbox rows they give, claiming due rows and recording delivery.

The rows are the outbox. `sync_reminders_for()` writes them in the same transaction as the change that
makes them due (an activity's date, its completion, a review, a manager leaving). The dispatcher
(`claim_due_reminders`) claims due rows with a lease; a send task takes the claimed rows of a few
e-mails (`start_deliveries`), and for each e-mail in turn stores its marker (`take_delivery`), sends it
and records the outcome (`record_sent`, `record_failure`).

The modules, one responsibility each (callers import from the package):

- `rules`: HR's rule for each kind of item (days before, on the day, days after)
- `schedule`: when a reminder goes out (08:00 in Stockholm on working days)
- `sources`: each kind of item reminded about, declared once (`sources/activities.py`, `reviews.py`)
- `items`: who receives which rows of an item, and what an e-mail says about it, for every source
- `sync`: the outbox written with the change
- `outbox`: the rows' table, the statements every stage shares on it, and the delivery settings
- `claiming`: the dispatcher
- `delivery`: the send task, and why an e-mail goes out twice at the very most
- `failures`: a failed send, retried or failed for good
- `queries`: HR's reminders page and a user's choice of a daily digest
"""

from lifecycle.services.reminders.claiming import SUPERSEDED
from lifecycle.services.reminders.claiming import Claim
from lifecycle.services.reminders.claiming import ClaimBatch
from lifecycle.services.reminders.claiming import claim_due_reminders
from lifecycle.services.reminders.delivery import Delivery
from lifecycle.services.reminders.delivery import Recipient
from lifecycle.services.reminders.delivery import message_id_for
from lifecycle.services.reminders.delivery import record_sent
from lifecycle.services.reminders.delivery import start_deliveries
from lifecycle.services.reminders.delivery import take_delivery
from lifecycle.services.reminders.failures import Failure
from lifecycle.services.reminders.failures import Retry
from lifecycle.services.reminders.failures import classify
from lifecycle.services.reminders.failures import record_failure
from lifecycle.services.reminders.items import SOURCES
from lifecycle.services.reminders.items import Wanted
from lifecycle.services.reminders.outbox import NO_ADDRESS
from lifecycle.services.reminders.outbox import OPEN_STATUSES
from lifecycle.services.reminders.outbox import UNCERTAIN
from lifecycle.services.reminders.outbox import DeliverySettings
from lifecycle.services.reminders.queries import ReminderLine
from lifecycle.services.reminders.queries import reminder_lines
from lifecycle.services.reminders.queries import resend_reminder
from lifecycle.services.reminders.queries import set_digest_preference
from lifecycle.services.reminders.queries import status_counts
from lifecycle.services.reminders.rules import DEFAULT_RULE
from lifecycle.services.reminders.rules import MAX_DAYS
from lifecycle.services.reminders.rules import RULES_KEY
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.rules import ReminderRuleError
from lifecycle.services.reminders.rules import Rule
from lifecycle.services.reminders.rules import get_rules
from lifecycle.services.reminders.rules import set_rules
from lifecycle.services.reminders.schedule import SEND_TIME
from lifecycle.services.reminders.schedule import next_send_slot
from lifecycle.services.reminders.schedule import previous_working_day
from lifecycle.services.reminders.schedule import schedule_days
from lifecycle.services.reminders.schedule import send_time_utc
from lifecycle.services.reminders.sources import ItemSummary
from lifecycle.services.reminders.sources import ReminderSource
from lifecycle.services.reminders.sync import catch_up
from lifecycle.services.reminders.sync import resync_open_items
from lifecycle.services.reminders.sync import sync_reminder_items
from lifecycle.services.reminders.sync import sync_reminders
from lifecycle.services.reminders.sync import sync_reminders_for
from lifecycle.services.reminders.sync import sync_reminders_for_manager

__all__ = [
    "DEFAULT_RULE",
    "MAX_DAYS",
    "NO_ADDRESS",
    "OPEN_STATUSES",
    "RULES_KEY",
    "SEND_TIME",
    "SOURCES",
    "SUPERSEDED",
    "UNCERTAIN",
    "Claim",
    "ClaimBatch",
    "Delivery",
    "DeliverySettings",
    "Failure",
    "ItemSummary",
    "Recipient",
    "ReminderKind",
    "ReminderLine",
    "ReminderRuleError",
    "ReminderSource",
    "Retry",
    "Rule",
    "Wanted",
    "catch_up",
    "claim_due_reminders",
    "classify",
    "get_rules",
    "message_id_for",
    "next_send_slot",
    "previous_working_day",
    "record_failure",
    "record_sent",
    "reminder_lines",
    "resend_reminder",
    "resync_open_items",
    "schedule_days",
    "send_time_utc",
    "set_digest_preference",
    "set_rules",
    "start_deliveries",
    "status_counts",
    "sync_reminder_items",
    "sync_reminders",
    "sync_reminders_for",
    "sync_reminders_for_manager",
    "take_delivery",
]
