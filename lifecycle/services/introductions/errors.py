"""The error every part of the introduction programmes raises."""

from __future__ import annotations


class IntroductionError(ValueError):
    """A template, milestone or launch breaks a rule; `field` names what to fix, the message is for users."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
