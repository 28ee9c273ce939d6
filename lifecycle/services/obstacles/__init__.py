"""The obstacle log (hinder): reporting obstacles, HR's handling of them, and the lists that show them."""

from lifecycle.services.obstacles.errors import ObstacleError
from lifecycle.services.obstacles.handling import NEXT_STATUSES
from lifecycle.services.obstacles.handling import ObstacleChange
from lifecycle.services.obstacles.handling import allowed_statuses
from lifecycle.services.obstacles.handling import change_obstacle
from lifecycle.services.obstacles.handling import resolves
from lifecycle.services.obstacles.reporting import record_event
from lifecycle.services.obstacles.reporting import report_obstacle
from lifecycle.services.obstacles.reporting import resolve_obstacle_tags

__all__ = [
    "NEXT_STATUSES",
    "ObstacleChange",
    "ObstacleError",
    "allowed_statuses",
    "change_obstacle",
    "record_event",
    "report_obstacle",
    "resolve_obstacle_tags",
    "resolves",
]
