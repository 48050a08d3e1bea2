"""Writes to user accounts — what an operator does in /admin/ → Users: create an account,
change it (email, name, active, staff flags, the admin site's groups and permissions), set or
disable its password, (de)activate a batch. Deleting accounts is `orgs.removal.users_delete`.

Each is a service (`*, actor`, atomic). An account belongs to every org its person is a
member of, so each change writes one `user` entry ("User account") in each of those orgs'
logs, naming the actor; a password shows only as "[redacted]". A new account, or one in no
org, has no org log to write to (SPEC §5 logs the orgs' data); the admin site's own history
(django.contrib.admin LogEntry) still names the operator.

Lock order (README "Concurrency"): the chain heads of the person's orgs in id order, then their
admin rows (deactivation), then the user rows. Deactivating the last active Org Admin of an org
is refused like removing them (`services.refuse_losing_every_admin`): an inactive account cannot
sign in, so it keeps nobody in charge."""

from __future__ import annotations

from collections.abc import Iterable

from audit.context import service
from audit.models import Action
from audit.recording import record

from . import permissions
from .errors import GoneError, ServiceError, unique_or_error
from .locking import lock_org, lock_rows
from .models import Organization, OrgMembership, User
from .roles import OrgRole
from .services import _lock_admins, refuse_losing_every_admin, require_fit

# Account fields an operator edits, in the order entries list them.
ACCOUNT_FIELDS = ("email", "full_name", "is_active", "is_staff", "is_superuser")
PASSWORD_CHANGE = {"password": ["[redacted]", "[redacted]"]}


def _lock_orgs_of(user_ids: Iterable[int]) -> list[int]:
    """Lock the chain heads of every org the users belong to (id order); returns the org ids."""
    org_ids = list(
        OrgMembership.objects.filter(user_id__in=list(user_ids))
        .order_by("org_id")
        .values_list("org_id", flat=True)
        .distinct()
    )
    for org_id in org_ids:
        lock_org(org_id)
    return org_ids


def _refuse_deactivating_every_admin(user_ids: set[int]) -> None:
    """LastAdminError when deactivating `user_ids` (all at once) would leave an org they admin
    without an active Org Admin. Call with the orgs' chain heads held."""
    org_ids = (
        OrgMembership.objects.filter(user_id__in=user_ids, role=OrgRole.ADMIN)
        .order_by("org_id")
        .values_list("org_id", flat=True)
        .distinct()
    )
    for org in Organization.objects.filter(pk__in=list(org_ids)).order_by("pk"):
        refuse_losing_every_admin(org, _lock_admins(org), user_ids)


def _locked_users(user_ids: Iterable[int]) -> list[User]:
    return lock_rows(User.objects.filter(pk__in=list(user_ids)))


def _record(user: User, changes: dict, org_ids: list[int], action=Action.UPDATED) -> None:
    """One `user` entry per org of the person (the org ids their memberships are in)."""
    members_of = set(OrgMembership.objects.filter(user=user).values_list("org_id", flat=True))
    for org_id in org_ids:
        if org_id in members_of:
            record(
                action=action,
                org=org_id,
                entity_type="user",
                entity_id=user.pk,
                entity_label=user.email,
                changes=changes,
            )


def _set_password(user: User, password: str | None) -> None:
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()


def _check_email(email: str, *, exclude: int | None = None) -> str:
    email = User.objects.normalize_email(email)
    if not email:
        raise ServiceError("An email address is required.", code="required")
    require_fit(User, email=email)
    taken = User.objects.filter(email__iexact=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ServiceError(f"A user with the email {email} already exists.", code="taken")
    return email


@service
def user_create(
    *,
    actor,
    email: str,
    full_name: str = "",
    password: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """A new account. `password`: the raw password, or None for an account that cannot sign in
    with one (SSO, or a password set later). ServiceError when the email is empty, too long or
    taken (case-insensitive). No org yet, so no activity entry."""
    email = _check_email(email)
    full_name = full_name.strip()
    require_fit(User, full_name=full_name)
    user = User(email=email, full_name=full_name, is_staff=is_staff, is_superuser=is_superuser)
    _set_password(user, password)
    with unique_or_error(f"A user with the email {email} already exists.", code="taken"):
        user.save()
    return user


@service
def user_update(
    *,
    actor,
    user: User,
    email: str | None = None,
    full_name: str | None = None,
    is_active: bool | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
    groups: Iterable | None = None,
    user_permissions: Iterable | None = None,
) -> User:
    """Change what is given (None: unchanged). `groups` / `user_permissions`: the admin site's
    auth Groups and Permissions the account has (the whole new set). Refused (ServiceError):
    an empty, too long or taken email; deactivating an org's last active Org Admin
    (LastAdminError); a deleted account (GoneError). Logs one `user` entry per org of the
    person with {field: [old, new]}, nothing when nothing changed. Returns the saved user."""
    wanted = {
        "email": None if email is None else _check_email(email, exclude=user.pk),
        "full_name": None if full_name is None else full_name.strip(),
        "is_active": is_active,
        "is_staff": is_staff,
        "is_superuser": is_superuser,
    }
    require_fit(User, full_name=wanted["full_name"])
    org_ids = _lock_orgs_of([user.pk])
    if is_active is False:
        _refuse_deactivating_every_admin({user.pk})
    locked = next(iter(_locked_users([user.pk])), None)
    if locked is None:
        raise GoneError(f"The account {user.email}")
    changes = {
        name: [getattr(locked, name), value]
        for name, value in wanted.items()
        if value is not None and value != getattr(locked, name)
    }
    for name, (_old, new) in changes.items():
        setattr(locked, name, new)
    if changes:
        taken = f"A user with the email {locked.email} already exists."
        with unique_or_error(taken, code="taken"):
            locked.save(update_fields=list(changes))
    for name, chosen in (("groups", groups), ("user_permissions", user_permissions)):
        if chosen is not None:
            changes.update(_set_related(locked, name, chosen))
    if changes:
        _record(locked, changes, org_ids)
        permissions.forget_access(locked)
    for name in ACCOUNT_FIELDS:
        setattr(user, name, getattr(locked, name))
    return locked


def _set_related(user: User, name: str, chosen: Iterable) -> dict:
    """Set the account's `groups` or `user_permissions` to `chosen`; {name: [old, new]} with
    sorted labels when the set changed, else {}."""
    related = getattr(user, name)
    old, new = list(related.all()), list(chosen)
    if {o.pk for o in old} == {n.pk for n in new}:
        return {}
    related.set(new)
    return {name: [sorted(map(str, old)), sorted(map(str, new))]}


@service
def user_password_set(*, actor, user: User, password: str | None) -> User:
    """Set the account's password (`password`, raw; validated by the caller's form), or with
    None disable password sign-in (SSO only). Logs `password: [redacted]` per org. The user's
    other sessions end (their session hash no longer matches). Returns the saved user, whose
    password hash is also copied onto `user`."""
    org_ids = _lock_orgs_of([user.pk])
    locked = next(iter(_locked_users([user.pk])), None)
    if locked is None:
        raise GoneError(f"The account {user.email}")
    _set_password(locked, password)
    locked.save(update_fields=["password"])
    _record(locked, PASSWORD_CHANGE, org_ids)
    user.password = locked.password
    return locked


@service
def users_active_set(*, actor, users: Iterable[User], active: bool) -> int:
    """Activate or deactivate the accounts, all or nothing: deactivating a batch that holds
    every active Org Admin of an org is refused (LastAdminError), nothing changes. Logs
    `is_active` per org of each person whose state changed; returns how many changed."""
    ids = {user.pk for user in users}
    org_ids = _lock_orgs_of(ids)
    if not active:
        _refuse_deactivating_every_admin(ids)
    changed = 0
    for locked in _locked_users(ids):
        if locked.is_active == active:
            continue
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        _record(locked, {"is_active": [not active, active]}, org_ids)
        permissions.forget_access(locked)
        changed += 1
    return changed
