"""The impact preview of a review's "remove" (SPEC §10): who loses what, computed by the
policy (orgs.impact, orgs.previews) from the same plan the decision carries out
(`permissions.workspace_removal`), before the reviewer confirms."""

from __future__ import annotations

from dataclasses import dataclass

from .. import impact, permissions, previews
from .models import ItemKind


@dataclass(frozen=True)
class ReviewRemoval:
    """The changes a review's removal makes for one person, applied in order (the direct
    membership, then each team that gives the access; or the org membership)."""

    user_id: int
    changes: tuple
    kind = "review_remove"

    def apply(self, state: impact.AccessState) -> impact.AccessState:
        for change in self.changes:
            state = change.apply(state)
        return state


def removal_plan(org, item) -> permissions.Removal:
    """What removing a workspace item takes away now, from the person's current sources (one
    query): the plan the decision carries out and the confirmation shows."""
    member = permissions.members_access(org, [item.user_id]).get(item.user_id)
    access = member.workspace(item.workspace_id) if member and item.workspace_id else None
    return permissions.workspace_removal(access)


def removal_change(org, item) -> ReviewRemoval | None:
    """What removing `item` changes now, or None when its person's account is gone."""
    if item.user_id is None:
        return None
    if item.kind == ItemKind.ORG_ROLE:
        return ReviewRemoval(item.user_id, (impact.RemoveMember(item.user_id),))
    plan = removal_plan(org, item)
    changes = [impact.RemoveDirectGrant(item.user_id, item.workspace_id)] if plan.direct else []
    changes += [impact.RemoveTeamMember(team, item.user_id) for team in plan.teams]
    return ReviewRemoval(item.user_id, tuple(changes))


def removal_preview(org, item) -> previews.Preview | None:
    """The preview of removing `item`: each person's access before → after per workspace."""
    change = removal_change(org, item)
    return previews.impact_preview(org, change) if change is not None else None
