"""Every model, imported here so Alembic and relationship resolution see the whole schema."""

from lifecycle.models.managers import Manager
from lifecycle.models.managers import StageTransition
from lifecycle.models.organisation import OrgUnit
from lifecycle.models.platform import Expectation
from lifecycle.models.platform import Pillar
from lifecycle.models.platform import Platform
from lifecycle.models.system import Heartbeat
from lifecycle.models.users import User
from lifecycle.models.users import UserRole

__all__ = [
    "Expectation",
    "Heartbeat",
    "Manager",
    "OrgUnit",
    "Pillar",
    "Platform",
    "StageTransition",
    "User",
    "UserRole",
]
