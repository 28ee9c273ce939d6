"""Role models and mentorships (förebilder och mentorskap): marking role models, suggesting mentors,
starting and ending mentorships, and logging their meetings.
"""

from lifecycle.services.mentoring.errors import MentoringError
from lifecycle.services.mentoring.mentorships import end_mentorship
from lifecycle.services.mentoring.mentorships import log_meeting
from lifecycle.services.mentoring.mentorships import start_mentorship
from lifecycle.services.mentoring.role_models import mark_role_model
from lifecycle.services.mentoring.role_models import unmark_role_model
from lifecycle.services.mentoring.role_models import update_role_model
from lifecycle.services.mentoring.suggestions import Suggestion
from lifecycle.services.mentoring.suggestions import suggest_mentors

__all__ = [
    "MentoringError",
    "Suggestion",
    "end_mentorship",
    "log_meeting",
    "mark_role_model",
    "start_mentorship",
    "suggest_mentors",
    "unmark_role_model",
    "update_role_model",
]
