"""The effect map's refusals."""

from __future__ import annotations

from flask_babel import LazyString


class EffectMapError(ValueError):
    """An effect, driver or obstacle of the effect map that is refused; `field` names what to fix."""

    def __init__(self, field: str, message: LazyString | str) -> None:
        super().__init__(message)
        self.field = field
