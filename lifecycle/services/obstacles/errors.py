"""The obstacle log's refusals."""

from __future__ import annotations

from flask_babel import LazyString


class ObstacleError(ValueError):
    """A report or a change of an obstacle that is refused; `field` names what to fix."""

    def __init__(self, field: str, message: LazyString | str) -> None:
        super().__init__(message)
        self.field = field
