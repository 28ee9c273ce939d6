"""The effect map (effektkartläggning): HR's effects with their measures, drivers and obstacles.

- `measures`: the registry of measure functions (one per kind) and the two computed here
- `periods`: the quarters, months or years the figures are given for
- `editing`: HR's changes to effects, drivers and obstacles
- `seeding`: what a platform file's `effect_map` adds, and what a reload keeps
- `queries`: the effects in order and their figures per period
"""

from lifecycle.services.effect_map.editing import EffectValues
from lifecycle.services.effect_map.editing import add_described_obstacle
from lifecycle.services.effect_map.editing import add_driver
from lifecycle.services.effect_map.editing import add_effect
from lifecycle.services.effect_map.editing import change_effect
from lifecycle.services.effect_map.editing import edit_item
from lifecycle.services.effect_map.editing import link_obstacle
from lifecycle.services.effect_map.editing import move_effect
from lifecycle.services.effect_map.editing import move_item
from lifecycle.services.effect_map.editing import set_effect_retired
from lifecycle.services.effect_map.editing import set_item_retired
from lifecycle.services.effect_map.errors import EffectMapError

__all__ = [
    "EffectMapError",
    "EffectValues",
    "add_described_obstacle",
    "add_driver",
    "add_effect",
    "change_effect",
    "edit_item",
    "link_obstacle",
    "move_effect",
    "move_item",
    "set_effect_retired",
    "set_item_retired",
]
