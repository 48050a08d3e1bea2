"""SCIM requests → the writes the console makes. Every change goes through orgs.services with
the SCIM token as `actor` (the activity log names it `scim:<token name>`): the last-admin rule,
grant removal and logging are the console's. Each function is atomic: a refused request
changes nothing.

Mapping (README "Provisioning with SCIM"):
- userName → User.email (case-insensitive); name.givenName/familyName and displayName →
  ScimUser, and User.full_name when this org is the person's only org;
- active → org membership (false or DELETE: orgs.services.member_remove);
- urn:…:flowadmin:2.0:User:orgRole → the Org Role (orgs.services.org_role_set);
- Group displayName → Team.name, members → team members (teams created here are managed by the
  identity provider).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from scim2_models import (
    InvalidValueException,
    MutabilityException,
    UniquenessException,
)

from .. import permissions, services
from ..errors import unique_or_error
from ..locking import lock_org
from ..models import Domain, DomainStatus, OrgMembership, ScimToken, ScimUser, Team, User
from ..roles import OrgRole
from .resources import Person, members_of
from .schema import OrgRoleExtension


def _email(user_name: str | None) -> str:
    email = User.objects.normalize_email(user_name)
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidValueException(
            detail=f"userName {user_name!r} is not an email address."
        ) from None
    return email


def _check_domain(org, email: str) -> None:
    """A person whose email domain another org has verified belongs to that org."""
    host = email.rpartition("@")[2]
    if Domain.objects.filter(hostname=host, status=DomainStatus.VERIFIED).exclude(org=org).exists():
        raise InvalidValueException(
            detail=f"{host} is a verified domain of another organization: its people cannot be "
            "provisioned here."
        )


def _org_role(resource) -> str | None:
    try:
        ext = resource[OrgRoleExtension]
    except KeyError:
        return None
    role = ((ext.org_role if ext else None) or "").strip().lower()
    if not role:
        return None
    if not permissions.is_org_role(role):
        raise InvalidValueException(detail=f"orgRole {role!r}: use admin or user.")
    return role


def _names(resource) -> dict:
    name = resource.name
    return {
        "given_name": ((name.given_name if name else None) or "")[:150],
        "family_name": ((name.family_name if name else None) or "")[:150],
        "display_name": (resource.display_name or "")[:150],
    }


def _full_name(names: dict) -> str:
    joined = " ".join(part for part in (names["given_name"], names["family_name"]) if part)
    return names["display_name"] or joined


def _owns_profile(org, user) -> bool:
    """Whether this org's IdP may change the person's profile (name, email): when it is
    their only org."""
    return not OrgMembership.objects.filter(user=user).exclude(org=org).exists()


def _save_row(row: ScimUser, values: dict) -> None:
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if row.pk is None:
        row.save()
    elif changed:
        row.save(update_fields=[*changed, "updated_at"])


@transaction.atomic
def user_create(*, token: ScimToken, resource) -> Person:
    """POST /Users. `resource`: a validated schema.UserRequest. A new person is created when
    the email is unknown; an existing member or provisioned person is a 409 (uniqueness)."""
    org = token.org
    email = _email(resource.user_name)
    lock_org(org)  # the lock order of README "Concurrency": the org first
    _check_domain(org, email)
    user = User.objects.filter(email=email).first()
    if user is not None and (
        OrgMembership.objects.filter(org=org, user=user).exists()
        or ScimUser.objects.filter(org=org, user=user).exists()
    ):
        raise UniquenessException(detail=f"User {email} already exists here.")
    names = _names(resource)
    if user is None:
        # No password: the person signs in through SSO.
        with unique_or_error(f"User {email} already exists."):
            user = User.objects.create_user(email=email, full_name=_full_name(names))
    elif _full_name(names) and _owns_profile(org, user) and user.full_name != _full_name(names):
        user.full_name = _full_name(names)
        user.save(update_fields=["full_name"])
    wanted_role = _org_role(resource) or OrgRole.USER
    row = ScimUser(org=org, user=user)
    _save_row(row, {"external_id": resource.external_id or "", "org_role": wanted_role, **names})
    role = None
    if resource.active is not False:
        role = wanted_role
        services.member_add(actor=token, org=org, user=user, role=role)
    return Person(user, role, row)


@transaction.atomic
def user_update(*, token: ScimToken, current: Person, resource) -> Person:
    """PUT or PATCH /Users/<id>: bring the person to the state `resource` (a UserRequest)
    describes. `active` absent leaves the membership as it is."""
    org, user = token.org, current.user
    lock_org(org)
    owns = _owns_profile(org, user)
    email = _email(resource.user_name) if resource.user_name else user.email
    profile = []
    if email != user.email:
        if not owns:
            raise MutabilityException(
                detail="userName cannot change: this person also belongs to other organizations."
            )
        _check_domain(org, email)
        if User.objects.filter(email=email).exclude(pk=user.pk).exists():
            raise UniquenessException(detail=f"User {email} already exists.")
        user.email = email
        profile.append("email")
    names = _names(resource)
    full_name = _full_name(names)
    if owns and full_name and full_name != user.full_name:
        user.full_name = full_name
        profile.append("full_name")
    if profile:
        user.save(update_fields=profile)
    row = current.row or ScimUser(org=org, user=user)
    role = current.role
    # The role asked for, else the one held (or held before a deactivation), else User.
    wanted_role = _org_role(resource) or role or row.org_role or OrgRole.USER
    _save_row(row, {"external_id": resource.external_id or "", "org_role": wanted_role, **names})
    if resource.active is False and role is not None:
        services.member_remove(actor=token, org=org, user=user)
        role = None
    elif resource.active is True and role is None:
        role = wanted_role
        services.member_add(actor=token, org=org, user=user, role=role)
    elif role is not None and wanted_role != role:
        services.org_role_set(actor=token, org=org, user=user, role=wanted_role)
        role = wanted_role
    return Person(user, role, row)


@transaction.atomic
def user_delete(*, token: ScimToken, current: Person) -> None:
    """DELETE /Users/<id>: the person leaves the org and the SCIM User is gone (404 after)."""
    if current.role is not None:
        services.member_remove(actor=token, org=token.org, user=current.user)
    if current.row is not None:
        current.row.delete()


# --- groups -------------------------------------------------------------------------------


def _member_ids(org, resource) -> set[int]:
    """The user ids a Group's `members` name; each must be an active SCIM User of the org."""
    wanted = set()
    for member in resource.members or []:
        try:
            wanted.add(int(member.value))
        except (TypeError, ValueError):
            raise InvalidValueException(detail=f"No User {member.value!r} here.") from None
    known = set(
        OrgMembership.objects.filter(org=org, user_id__in=wanted).values_list("user_id", flat=True)
    )
    missing = wanted - known
    if missing:
        raise InvalidValueException(
            detail=f"Group members must be active Users of this organization: "
            f"{', '.join(map(str, sorted(missing)))} are not."
        )
    return wanted


def _set_members(token, team: Team, wanted: set[int], current: set[int]) -> None:
    users = {u.pk: u for u in User.objects.filter(pk__in=wanted ^ current)}
    for user_id in sorted(current - wanted):
        services.team_member_remove(actor=token, team=team, user=users[user_id])
    added = [users[user_id] for user_id in sorted(wanted - current)]
    if added:
        services.team_members_add(actor=token, team=team, users=added)


@transaction.atomic
def group_create(*, token: ScimToken, resource) -> Team:
    """POST /Groups: a team managed by the identity provider, with its members."""
    lock_org(token.org)
    wanted = _member_ids(token.org, resource)
    team = services.team_create(
        actor=token,
        org=token.org,
        name=resource.display_name or "",
        managed_by_idp=True,
        external_id=(resource.external_id or "")[:255],
    )
    _set_members(token, team, wanted, set())
    return team


@transaction.atomic
def group_update(*, token: ScimToken, team: Team, resource, members_given: bool = True) -> Team:
    """PUT or PATCH /Groups/<id>. `members_given`: False when a PUT left `members` out (the
    membership stays as it is)."""
    services.team_update(
        actor=token,
        team=team,
        name=resource.display_name,
        external_id=(resource.external_id or "")[:255],
    )
    if members_given:
        wanted = _member_ids(token.org, resource)
        current = {user_id for user_id, _ in members_of([team])[team.pk]}
        _set_members(token, team, wanted, current)
    return team


@transaction.atomic
def group_delete(*, token: ScimToken, team: Team) -> None:
    services.team_delete(actor=token, team=team)
