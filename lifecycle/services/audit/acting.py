"""Who is acting: the user and the source a unit of work's changes and reads are recorded as."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from contextvars import Token
from dataclasses import dataclass

from lifecycle.models import User
from lifecycle.services.audit.audited import row_id
from lifecycle.services.audit.vocabulary import SOURCE_SYSTEM


@dataclass(frozen=True)
class AuditContext:
    """Who makes the changes of this unit of work, and through what."""

    actor_id: int | None
    source: str

    @classmethod
    def of(cls, user: User | None, source: str) -> AuditContext:
        """Return the context of `user` (None: nobody logged in, the system) acting through `source`."""
        # The id comes from the identity map key, so a user expired by an earlier commit is not reloaded.
        return cls(row_id(user) if user is not None else None, source)


_acting: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def begin_acting(context: AuditContext) -> Token[AuditContext | None]:
    """Record what follows as done in `context` until `end_acting(token)` (a request's lifetime)."""
    return _acting.set(context)


def end_acting(token: Token[AuditContext | None]) -> None:
    """Go back to whoever was acting before `begin_acting` returned `token`."""
    _acting.reset(token)


@contextmanager
def acting_as(user: User | None, source: str) -> Iterator[None]:
    """Record what the block changes as done by `user` (None: the system) through `source`."""
    token = begin_acting(AuditContext.of(user, source))
    try:
        yield
    finally:
        end_acting(token)


def current_context() -> AuditContext:
    """Return who is acting: the innermost `acting_as()` or request, else the system."""
    return _acting.get() or AuditContext(None, SOURCE_SYSTEM)
