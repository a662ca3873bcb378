"""Who hides whom: the one rule behind every read that shows tweets, users or notifications.

A viewer does not see the tweets, boosts or notifications of the users they block, the users who
block them, or the users they mute (docs/conversation.md). Blocks also refuse interactions both
ways; mutes only hide, and only from the muter.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from domain.errors import Forbidden


@dataclass(frozen=True)
class Relations:
    blocks: frozenset[int] = field(default_factory=frozenset)
    blocked_by: frozenset[int] = field(default_factory=frozenset)
    mutes: frozenset[int] = field(default_factory=frozenset)

    @property
    def hidden(self) -> frozenset[int]:
        return self.blocks | self.blocked_by | self.mutes

    def check_may_interact(self, other_id: int) -> None:
        if other_id in self.blocked_by:
            raise Forbidden("blocked", "This user blocks you.")
        if other_id in self.blocks:
            raise Forbidden("blocked", "You block this user: unblock them first.")


NOBODY = Relations()
