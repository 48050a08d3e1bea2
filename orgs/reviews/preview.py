"""The impact preview of a reviewer's "remove" or "change" (SPEC §10): who loses
what, computed by the policy (orgs.impact, orgs.previews — the one preview every confirmation
of the console shows) from the same arguments the decision's services receive, before the
reviewer confirms. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass

from .. import impact, permissions, previews
from ..roles import FLAGS
from .models import Decision, ItemKind


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


def chosen_flags(flags: dict | None) -> dict[str, bool]:
    """Every Fine-Grained Permission as a "change" sets it: {flag: bool}, absent = off (the
    decision form's unticked boxes). The service and the preview both use it."""
    return {flag: bool((flags or {}).get(flag)) for flag in FLAGS}


def removal_plan(org, item) -> permissions.Removal:
    """What removing a workspace item takes away now, from the person's current sources (one
    query; `org` an Organization or its id): the plan the decision carries out and the
    confirmation lists."""
    member = permissions.members_access(org, [item.user_id]).get(item.user_id)
    access = member.workspace(item.workspace_id) if member and item.workspace_id else None
    return permissions.workspace_removal(access)


def removal_change(org, item, plan: permissions.Removal | None = None) -> ReviewRemoval | None:
    """What removing `item` changes now (`plan`: its removal_plan when already loaded), or
    None when its person's account is gone."""
    if item.user_id is None:
        return None
    if item.kind == ItemKind.ORG_ROLE:
        return ReviewRemoval(item.user_id, (impact.RemoveMember(item.user_id),))
    plan = plan if plan is not None else removal_plan(org, item)
    changes = [impact.RemoveDirectGrant(item.user_id, item.workspace_id)] if plan.direct else []
    changes += [impact.RemoveTeamMember(team, item.user_id) for team in plan.teams]
    return ReviewRemoval(item.user_id, tuple(changes))


def decision_change(org, item, decision: str, *, role=None, flags=None, plan=None):
    """The orgs.impact change a decision on `item` makes, as review_decide carries it out:
    remove → ReviewRemoval; change → SetOrgRole (org items) or SetDirectGrant with `role` and
    every flag (chosen_flags); None for keep, a missing role, or an account that is gone."""
    if item.user_id is None or decision == Decision.KEEP:
        return None
    if decision == Decision.REMOVE:
        return removal_change(org, item, plan)
    if item.kind == ItemKind.ORG_ROLE:
        return impact.SetOrgRole(item.user_id, role) if permissions.is_org_role(role) else None
    if not permissions.is_workspace_role(role):
        return None
    return impact.SetDirectGrant(item.user_id, item.workspace_id, role, chosen_flags(flags))


def decision_preview(org, item, decision: str, *, role=None, flags=None, plan=None):
    """The preview (orgs.previews.Preview) of a decision on `item`, or None when it changes
    nothing (decision_change is None): at most four queries, whatever the org's size."""
    change = decision_change(org, item, decision, role=role, flags=flags, plan=plan)
    return previews.impact_preview(org, change) if change is not None else None
