"""The workshops' refusals."""

from __future__ import annotations

from flask_babel import LazyString


class WorkshopError(ValueError):
    """A workshop, its outcome, a group goal or a guide question refused; `field` names what to fix."""

    def __init__(self, field: str, message: LazyString | str) -> None:
        super().__init__(message)
        self.field = field
