"""Database → SCIM resources, and the list queries behind GET /Users and GET /Groups.

A SCIM User is a person of the org: a member (active) or someone the IdP provisioned and then
deactivated (a ScimUser row without membership: inactive). Its id is the User's primary key.
A SCIM Group is a team managed by the identity provider; its id is the team's primary key.

Each list costs a constant number of queries whatever the page size: the page of users, their
memberships, their SCIM rows (or the teams and their members), and the count.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from scim2_models import (
    Context,
    InvalidFilterException,
    ListResponse,
    Meta,
    NotFoundException,
    ScimFilter,
)
from scim2_models.path.expressions import CompareOperator, Comparison

from ..models import OrgMembership, ScimUser, Team, TeamMembership, User
from .schema import (
    MAX_PAGE_SIZE,
    GroupResource,
    OrgRoleExtension,
    PersonName,
    TeamMember,
    UserModel,
    UserRequest,
)


@dataclass
class Person:
    """What a SCIM User is made of: the user, the org role (None: not a member) and the SCIM
    row (None: a member the IdP never provisioned)."""

    user: User
    role: str | None
    row: ScimUser | None


# --- filters and pagination ------------------------------------------------------------------


def equality_filter(text: str | None, model, supported: dict[str, str]) -> tuple[str, str] | None:
    """Parse `filter=<attr> eq "<value>"` (RFC 7644 §3.4.2.2) with scim2-models; returns
    (attribute key from `supported`, value), None without a filter. Any other filter (another
    attribute, operator, `and`/`or`) raises InvalidFilterException."""
    if not text:
        return None
    node = ScimFilter[model](text).ast
    if isinstance(node, Comparison) and node.op == CompareOperator.eq:
        attr = node.attr_path.attr + (
            f".{node.attr_path.sub_attr}" if node.attr_path.sub_attr else ""
        )
        key = supported.get(attr.lower())
        if key and isinstance(node.value, str):
            return key, node.value
    names = " or ".join(f"{name} eq" for name in supported.values())
    raise InvalidFilterException(detail=f"Only {names} filters are supported.")


def page_bounds(params) -> tuple[int, int]:
    """(startIndex ≥ 1, count 0…MAX_PAGE_SIZE) from the query string (RFC 7644 §3.4.2.4)."""

    def number(name, default):
        try:
            return int(params.get(name, default))
        except (TypeError, ValueError):
            raise InvalidFilterException(detail=f"{name} must be an integer.") from None

    start = max(number("startIndex", 1), 1)
    count = min(max(number("count", MAX_PAGE_SIZE), 0), MAX_PAGE_SIZE)
    return start, count


def list_response(model, resources, total: int, start: int, response_parameters=None) -> dict:
    """A ListResponse of `model` resources in SCIM JSON, with the `attributes` /
    `excludedAttributes` of `response_parameters` applied."""
    response = ListResponse[model](
        total_results=total,
        start_index=start,
        items_per_page=len(resources),
        resources=resources,
    )
    return response.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=response_parameters
    )


# --- ETags --------------------------------------------------------------------------------


def with_meta(resource, *, kind: str, location: str, created, modified):
    """Set `meta` (resourceType, location, created, lastModified, version). The version is a
    weak ETag over the resource's content, so any change to what SCIM returns changes it."""
    body = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:20]
    resource.meta = Meta(
        resource_type=kind,
        location=location,
        created=created,
        last_modified=modified,
        version=f'W/"{digest}"',
    )
    return resource


# --- users --------------------------------------------------------------------------------

USER_FILTERS = {"username": "userName", "externalid": "externalId"}


def people_of(org):
    """Users that are SCIM Users of `org` (members, and people the IdP provisioned)."""
    member = OrgMembership.objects.filter(org=org, user=OuterRef("pk"))
    provisioned = ScimUser.objects.filter(org=org, user=OuterRef("pk"))
    return User.objects.filter(Q(Exists(member)) | Q(Exists(provisioned)))


def load_people(org, users) -> list[Person]:
    """Persons for `users` (two queries)."""
    ids = [u.pk for u in users]
    roles = dict(
        OrgMembership.objects.filter(org=org, user_id__in=ids).values_list("user_id", "role")
    )
    rows = {row.user_id: row for row in ScimUser.objects.filter(org=org, user_id__in=ids)}
    return [Person(u, roles.get(u.pk), rows.get(u.pk)) for u in users]


def person(org, user_id) -> Person:
    """The SCIM User `user_id` of `org`, or NotFoundException."""
    user = people_of(org).filter(pk=_int_id(user_id)).first()
    if user is None:
        raise NotFoundException(detail=f"No User {user_id} here.")
    return load_people(org, [user])[0]


def _int_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFoundException(detail=f"No resource {value!r} here.") from None


def user_resource(p: Person, base_url: str):
    """The published SCIM User of a Person."""
    row = p.row
    name = None
    if row and (row.given_name or row.family_name):
        name = PersonName(given_name=row.given_name or None, family_name=row.family_name or None)
    resource = UserModel(
        id=str(p.user.pk),
        external_id=(row.external_id or None) if row else None,
        user_name=p.user.email,
        name=name,
        # What the IdP sent for people it provisioned; the console's name for the others.
        display_name=(row.display_name if row else p.user.full_name) or None,
        active=p.role is not None,
    )
    role = p.role or (row.org_role if row else None)
    if role:
        resource[OrgRoleExtension] = OrgRoleExtension(org_role=role)
    created = row.created_at if row else p.user.date_joined
    return with_meta(
        resource,
        kind="User",
        location=f"{base_url}Users/{p.user.pk}",
        created=created,
        modified=row.updated_at if row else created,
    )


def user_request_model(p: Person):
    """The current state of a Person as a request model, for PATCH to apply operations to."""
    published = user_resource(p, "")
    data = published.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    return UserRequest.model_validate(data, scim_ctx=Context.DEFAULT)


def list_users(org, params, base_url: str, response_parameters=None) -> dict:
    """GET /Users: `params` holds filter, startIndex and count."""
    found = equality_filter(params.get("filter"), UserRequest, USER_FILTERS)
    users = people_of(org)
    if found:
        key, value = found
        if key == "userName":
            users = users.filter(email=User.objects.normalize_email(value))
        else:
            users = users.filter(scim_identities__org=org, scim_identities__external_id=value)
    start, count = page_bounds(params)
    users = users.order_by("pk")
    total = users.count()
    page = list(users[start - 1 : start - 1 + count]) if count else []
    resources = [user_resource(p, base_url) for p in load_people(org, page)]
    return list_response(UserModel, resources, total, start, response_parameters)


# --- groups -------------------------------------------------------------------------------

GROUP_FILTERS = {"displayname": "displayName", "externalid": "externalId"}


def managed_teams(org):
    return Team.objects.filter(org=org, managed_by_idp=True)


def team_of(org, team_id) -> Team:
    team = managed_teams(org).filter(pk=_int_id(team_id)).first()
    if team is None:
        raise NotFoundException(detail=f"No Group {team_id} here.")
    return team


def members_of(teams) -> dict[int, list[tuple[int, str]]]:
    """{team id: [(user id, email)]} for `teams` (one query)."""
    members: dict[int, list[tuple[int, str]]] = {t.pk: [] for t in teams}
    rows = (
        TeamMembership.objects.filter(team__in=[t.pk for t in teams])
        .order_by("team_id", "user_id")
        .values_list("team_id", "user_id", "user__email")
    )
    for team_id, user_id, email in rows:
        members[team_id].append((user_id, email))
    return members


def group_resource(team: Team, members, base_url: str, *, with_members: bool = True):
    resource = GroupResource(
        id=str(team.pk),
        external_id=team.external_id or None,
        display_name=team.name,
        members=[
            TeamMember(value=str(user_id), ref=f"{base_url}Users/{user_id}")
            for user_id, _email in members
        ]
        if with_members
        else None,
    )
    return with_meta(
        resource,
        kind="Group",
        location=f"{base_url}Groups/{team.pk}",
        created=team.created_at,
        modified=None,
    )


def list_groups(
    org, params, base_url: str, response_parameters=None, *, with_members: bool = True
) -> dict:
    """GET /Groups: `params` holds filter, startIndex and count; `with_members` False skips
    loading members (Entra ID asks with excludedAttributes=members)."""
    found = equality_filter(params.get("filter"), GroupResource, GROUP_FILTERS)
    teams = managed_teams(org)
    if found:
        key, value = found
        if key == "displayName":
            teams = teams.filter(name__iexact=value)
        else:
            teams = teams.filter(external_id=value)
    start, count = page_bounds(params)
    teams = teams.order_by("pk")
    total = teams.count()
    page = list(teams[start - 1 : start - 1 + count]) if count else []
    members = members_of(page) if with_members and page else {}
    resources = [
        group_resource(t, members.get(t.pk, []), base_url, with_members=with_members) for t in page
    ]
    return list_response(GroupResource, resources, total, start, response_parameters)
