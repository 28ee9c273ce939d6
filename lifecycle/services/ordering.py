"""HR's own order of a list of texts (a bank's entries, a guide's questions): moving one a place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from typing import TypeVar


class Positioned(Protocol):
    position: int


T = TypeVar("T", bound=Positioned)


def move_one_place(siblings: Sequence[T], item: T, step: int) -> bool:
    """Move `item` one place up (-1) or down (+1) among `siblings` (in their order) and renumber them.

    Returns False, changing nothing, when the step is not one place or would leave the list.
    """
    if step not in (-1, 1) or item not in siblings:
        return False
    ordered = list(siblings)
    index = ordered.index(item)
    target = index + step
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, sibling in enumerate(ordered):
        sibling.position = position
    return True
