"""The error every part of offboarding raises."""

from __future__ import annotations

from lifecycle.services.introductions import IntroductionError


class OffboardingError(IntroductionError):
    """A checklist, task, exit interview or reason breaks a rule; `field` names what to fix."""
