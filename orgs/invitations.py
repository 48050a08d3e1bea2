"""Invitations to join an org (SPEC §2): create, resend, revoke, accept and expire them.

The token is random (`secrets.token_urlsafe`) and only its SHA-256 is stored, so the link in
the email is the only copy; it works once, until `expires_at` (settings.INVITATION_TTL_DAYS), and
a resend replaces it. Every write is atomic and takes a keyword-only acting user. Accepting locks
the invitation row (PostgreSQL), so two accepts of the same link at once give one membership.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.context import as_actor, service
from audit.recording import record
from workspaces import services as workspace_services
from workspaces.models import Workspace

from . import expiry, permissions, selectors, services
from .errors import ServiceError
from .models import (
    Invitation,
    InvitationDelivery,
    InvitationStatus,
    OfferedRole,
    OrgMembership,
    SSOConfiguration,
    User,
    current,
    role_end,
)
from .roles import OrgRole
from .sso import covers

TOKEN_BYTES = 32

# Why an invitation link can't be used (InvitationError.problem).
UNKNOWN = "unknown"
ACCEPTED = "accepted"
REVOKED = "revoked"
EXPIRED = "expired"
WRONG_ACCOUNT = "wrong_account"
ACCOUNT_EXISTS = "account_exists"


class InvitationError(ServiceError):
    """An invitation that can't be accepted (by this person), with the reason as `problem`."""

    def __init__(self, message, problem):
        super().__init__(message, code=problem)
        self.problem = problem


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with the one copy of its token and the link made from it."""

    invitation: Invitation
    token: str
    url: str


@dataclass(frozen=True)
class Acceptance:
    membership: OrgMembership
    user: User
    created_user: bool
    already_member: bool


# --- tokens and links ----------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def accept_url(token: str, base_url: str | None = None) -> str:
    """The absolute accept link: `base_url` is the request's site (views) or settings.SITE_URL
    (commands)."""
    base = (base_url or settings.SITE_URL).rstrip("/")
    return base + reverse("invitation_accept", args=[token])


def _expiry(now):
    return now + timedelta(days=settings.INVITATION_TTL_DAYS)


# --- reads ---------------------------------------------------------------------------------


def find(token: str) -> Invitation | None:
    """The invitation behind a link, or None (nothing stored matches)."""
    if not token or len(token) > 200:
        return None
    return Invitation.objects.select_related("org").filter(token_hash=hash_token(token)).first()


def offered_roles(invitation: Invitation) -> list[OfferedRole]:
    """The workspace roles `invitation` offers, with their ends (one query): what its email
    and accept page list."""
    ids = [item.get("workspace") for item in invitation.workspace_roles]
    return invitation.offered_roles(selectors.workspace_names(invitation.org_id, ids))


def is_overdue(invitation: Invitation, now=None) -> bool:
    return invitation.expires_at <= (now or timezone.now())


def is_spent(invitation: Invitation, now=None) -> bool:
    """Whether a pending `invitation` can no longer be used at `now` (default: now): its link
    ran out, or the org membership it offers has ended. Such an invitation is marked expired
    by `invitations_expire` (the beat schedule) or when the person is invited again; `spent`
    is the same rule as a queryset filter."""
    now = now or timezone.now()
    return is_overdue(invitation, now) or not expiry.is_current(invitation.until, now)


def spent(now) -> Q:
    """Invitations whose link ran out or whose offered org membership has ended at `now`:
    the ORM form of `is_spent`."""
    return Q(expires_at__lte=now) | ~current(now)


def membership_ended_on(invitation: Invitation, now=None) -> str:
    """The last day of the org membership `invitation` offers ("January 12, 2027", in
    TIME_ZONE) when that membership has already ended at `now` (default: now), so the
    invitation can no longer be accepted; "" when it has no end or has not ended."""
    if expiry.is_current(invitation.until, now or timezone.now()):
        return ""
    return date_format(expiry.last_day(invitation.until), "F j, Y")


def problem_with(invitation: Invitation | None) -> InvitationError | None:
    """Why this link can't be accepted by anyone, or None when it can."""
    if invitation is None:
        return InvitationError(
            "This invitation link is not valid. It may be mistyped, or it was replaced by a "
            "newer invitation: use the link in the most recent email.",
            UNKNOWN,
        )
    org = invitation.org.name
    if invitation.status == InvitationStatus.ACCEPTED:
        return InvitationError(
            f"This invitation to {org} has already been used. Log in to open {org}.", ACCEPTED
        )
    if invitation.status == InvitationStatus.REVOKED:
        return InvitationError(
            f"This invitation to {org} was withdrawn by an admin of {org}.", REVOKED
        )
    # Checked before the status: an invitation expired because its membership ended (by
    # invitations_expire) says so, not "expired on" the date its link would have run out.
    when = membership_ended_on(invitation)
    if when:
        return InvitationError(
            f"The access this invitation to {org} offered ended on {when}. Ask an admin of "
            f"{org} to send a new one.",
            EXPIRED,
        )
    if invitation.status == InvitationStatus.EXPIRED or is_overdue(invitation):
        when = date_format(timezone.localtime(invitation.expires_at), "F j, Y")
        return InvitationError(
            f"This invitation to {org} expired on {when}. Ask an admin of {org} to send a new one.",
            EXPIRED,
        )
    return None


def wrong_account(invitation: Invitation, user) -> InvitationError | None:
    if user.email.lower() != invitation.email.lower():
        return InvitationError(
            f"This invitation is for {invitation.email}, but you are logged in as {user.email}. "
            "Log out, then open the link again.",
            WRONG_ACCOUNT,
        )
    return None


def account_exists(invitation: Invitation) -> InvitationError | None:
    if User.objects.filter(email__iexact=invitation.email).exists():
        return InvitationError(
            f"There is already an account for {invitation.email}: log in to accept.",
            ACCOUNT_EXISTS,
        )
    return None


# --- checks shared by create and resend ----------------------------------------------------


def _clean_email(email: str) -> str:
    email = User.objects.normalize_email(email)
    services.require_fit(Invitation, email=email)
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(
            f"{email!r} is not a valid email address." if email else "Enter an email address.",
            code="invalid_email",
        ) from None
    return email


def _clean_workspace_roles(org, workspace_roles) -> list[dict]:
    """[(workspace, role) or (workspace, role, until), ...] → the stored
    [{"workspace": id, "role": role, "until": ISO instant (only when given)}, ...]."""
    cleaned, seen = [], set()
    for workspace, role, *rest in workspace_roles:
        until = rest[0] if rest else None
        if workspace.org_id != org.pk:
            raise ServiceError(f"{workspace.name} is not a workspace of {org.name}.")
        if not permissions.is_workspace_role(role):
            raise ServiceError(f"Unknown workspace role {role!r}: use admin, editor or viewer.")
        if workspace.pk in seen:
            raise ServiceError(f"{workspace.name} is listed twice.")
        seen.add(workspace.pk)
        item = {"workspace": workspace.pk, "role": str(role)}
        if until is not None:
            services.require_future(until, f"{workspace.name} access")
            item["until"] = until.isoformat()
        cleaned.append(item)
    return cleaned


def _refuse_member(org, email: str) -> None:
    if OrgMembership.objects.filter(org=org, user__email__iexact=email).exists():
        raise ServiceError(f"{email} is already a member of {org.name}.", code="already_member")


def _already_invited(org, email: str) -> ServiceError:
    return ServiceError(
        f"{email} already has a pending invitation to {org.name}: resend it from the "
        "Invitations page instead.",
        code="already_invited",
    )


def _queue_email(issued: IssuedInvitation) -> None:
    """Render the email here, with the request's link, and queue it for a worker once the
    surrounding transaction commits (orgs.tasks.send_invitation_email). The caller has set
    `delivery` to QUEUED."""
    from .tasks import send_invitation_email

    invitation = issued.invitation
    context = {
        "invitation": invitation,
        "org": invitation.org,
        "inviter": invitation.invited_by,
        "url": issued.url,
        "expires_at": invitation.expires_at,
        "offered_roles": offered_roles(invitation),
    }
    subject = " ".join(render_to_string("orgs/email/invitation_subject.txt", context).split())
    body = render_to_string("orgs/email/invitation_body.txt", context)
    args = (invitation.pk, invitation.token_hash, subject, body)
    transaction.on_commit(lambda: send_invitation_email.delay(*args))


def _delivery(send: bool) -> dict:
    """The delivery fields of an invitation just issued (and emailed when `send`)."""
    state = InvitationDelivery.QUEUED if send else InvitationDelivery.NOT_EMAILED
    return {"delivery": state, "delivery_error": ""}


def _inviter(actor):
    return actor if isinstance(actor, User) else None


# --- writes --------------------------------------------------------------------------------


@service
def invitation_create(
    *,
    actor,
    org,
    email: str,
    role: str = OrgRole.USER,
    workspace_roles=(),
    base_url: str | None = None,
    send: bool = True,
    until=None,
    issued_at=None,
) -> IssuedInvitation:
    """Invite `email` to `org` with an org role and optional initial workspace roles
    ([(workspace, role) or (workspace, role, until), ...]); emails the link unless `send` is
    False. `until`: when the org membership made at acceptance ends (None: no end); each
    workspace role's own end likewise (orgs.expiry). They are copied to the grants when the
    invitation is accepted. `issued_at`: its created_at, its link running out
    INVITATION_TTL_DAYS later (default: this moment; the demo seed issues one in the past).
    A pending invitation to the same email is judged at this moment whatever `issued_at`;
    ValueError for `send` with a link that has already run out."""
    now = timezone.now()
    issued_at = issued_at or now
    if send and _expiry(issued_at) <= now:  # is_overdue of the invitation to be
        raise ValueError(f"An invitation issued at {issued_at} would email an expired link.")
    email = _clean_email(email)
    if not permissions.is_org_role(role):
        raise ServiceError(f"Unknown org role {role!r}: use admin or user.")
    if until is not None:
        services.require_future(until, f"{email}'s membership")
    cleaned = _clean_workspace_roles(org, workspace_roles)
    _refuse_member(org, email)
    pending = (
        Invitation.objects.select_for_update()
        .filter(org=org, email__iexact=email, status=InvitationStatus.PENDING)
        .first()
    )
    if pending is not None:
        if not is_spent(pending, now):
            raise _already_invited(org, email)
        _mark_expired(pending)  # a spent one no longer counts: make room for the new one
    token, token_hash = _new_token()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                org=org,
                email=email,
                role=role,
                until=until,
                workspace_roles=cleaned,
                invited_by=_inviter(actor),
                token_hash=token_hash,
                created_at=issued_at,
                expires_at=_expiry(issued_at),
                **_delivery(send),
            )
    except IntegrityError:  # invited by someone else at this very moment
        raise _already_invited(org, email) from None
    issued = IssuedInvitation(invitation, token, accept_url(token, base_url))
    if send:
        _queue_email(issued)
    return issued


def _locked(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("org", "invited_by")
        .get(pk=invitation.pk)
    )


@service
def invitation_resend(
    *, actor, invitation: Invitation, base_url: str | None = None, send: bool = True
) -> IssuedInvitation:
    """A fresh token and a new expiry (the old link stops working), emailed again.

    ServiceError when the invitation is neither pending nor expired (`not_pending`), when the
    org membership it offers has already ended (`membership_ended`: invitations are not
    edited, so it is revoked and a new one sent), when the person is a member already, or
    when another invitation to them is pending."""
    invitation = _locked(invitation)
    if invitation.status not in (InvitationStatus.PENDING, InvitationStatus.EXPIRED):
        raise ServiceError(
            f"The invitation to {invitation.email} was {invitation.get_status_display().lower()}"
            " and can't be sent again.",
            code="not_pending",
        )
    ended = membership_ended_on(invitation)
    if ended:  # a new link would only lead to "this access ended" (410)
        raise ServiceError(
            f"The invitation to {invitation.email} can't be sent again: the membership it "
            f"offers ended on {ended}. Invite {invitation.email} again with a new end date "
            "(or none): the new invitation replaces this one.",
            code="membership_ended",
        )
    _refuse_member(invitation.org, invitation.email)
    if (
        invitation.status == InvitationStatus.EXPIRED
        and Invitation.objects.filter(
            org=invitation.org, email__iexact=invitation.email, status=InvitationStatus.PENDING
        ).exists()
    ):
        raise _already_invited(invitation.org, invitation.email)
    token, token_hash = _new_token()
    invitation.token_hash = token_hash
    invitation.status = InvitationStatus.PENDING
    invitation.expires_at = _expiry(timezone.now())
    for name, value in _delivery(send).items():
        setattr(invitation, name, value)
    invitation.save(
        update_fields=["token_hash", "status", "expires_at", "delivery", "delivery_error"]
    )
    issued = IssuedInvitation(invitation, token, accept_url(token, base_url))
    if send:
        _queue_email(issued)
    return issued


# --- delivery (called by orgs.tasks.send_invitation_email) ---------------------------------


def _awaiting_email(invitation_id: int, token_hash: str) -> Invitation | None:
    """The invitation, locked, if this token's email still has to go out: None when it was
    sent already, resent since (another token), revoked, accepted or deleted."""
    return (
        Invitation.objects.select_for_update()
        .filter(
            pk=invitation_id,
            token_hash=token_hash,
            status=InvitationStatus.PENDING,
            delivery__in=(InvitationDelivery.QUEUED, InvitationDelivery.FAILED),
        )
        .first()
    )


@service
def invitation_email_send(
    *, actor, invitation_id: int, token_hash: str, subject: str, body: str
) -> bool:
    """Send the invitation email rendered by the web process, at most once per token: the row
    stays locked while the SMTP server is talked to, so a task delivered twice (to two workers)
    sends once. Returns whether it sent. SMTP errors (OSError) propagate with nothing saved,
    for the task to retry."""
    invitation = _awaiting_email(invitation_id, token_hash)
    if invitation is None:
        return False
    send_mail(subject, body, None, [invitation.email])
    invitation.delivery = InvitationDelivery.SENT
    invitation.delivery_error = ""
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["delivery", "delivery_error", "sent_at"])
    return True


@service
def invitation_email_failed(*, actor, invitation_id: int, token_hash: str, error: str) -> bool:
    """Record that the email for this token could not be delivered (retries spent): the
    console shows "not delivered — resend". Returns False when the token is no longer the
    invitation's, or its email went out meanwhile."""
    invitation = _awaiting_email(invitation_id, token_hash)
    if invitation is None:
        return False
    invitation.delivery = InvitationDelivery.FAILED
    invitation.delivery_error = error[:300]
    invitation.save(update_fields=["delivery", "delivery_error"])
    return True


@service
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    invitation = _locked(invitation)
    if invitation.status != InvitationStatus.PENDING:
        raise ServiceError(
            f"The invitation to {invitation.email} is already "
            f"{invitation.get_status_display().lower()}.",
            code="not_pending",
        )
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status"])
    return invitation


def _mark_expired(invitation: Invitation) -> None:
    invitation.status = InvitationStatus.EXPIRED
    invitation.save(update_fields=["status"])


@service
def invitations_expire(*, actor, org=None, now=None) -> int:
    """Mark every spent pending invitation (of `org`, or of all orgs) expired at `now`
    (default: this moment): its link ran out, or the org membership it offers has ended
    (`until` passed; its link already answers 410). Returns how many. One save per row, so
    the activity log records each, with `actor`."""
    overdue = Invitation.objects.select_for_update().filter(
        spent(now or timezone.now()), status=InvitationStatus.PENDING
    )
    if org is not None:
        overdue = overdue.filter(org=org)
    count = 0
    for invitation in overdue.order_by("pk"):
        _mark_expired(invitation)
        count += 1
    return count


@service
def invitation_accept(
    *, actor, token: str, user=None, full_name: str = "", password: str | None = None
) -> Acceptance:
    """Join the org through the link: as the signed-in `user` (whose email must match), or as a
    new account made from `full_name` and `password` (already validated by the form).
    The invitation row is locked first, so a second accept of the same link waits, then finds
    it used."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("org")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    problem = problem_with(invitation)
    if problem is None and user is not None:
        problem = wrong_account(invitation, user)
    if problem is None and user is None:
        problem = account_exists(invitation)
    if problem is not None:
        raise problem
    created_user = user is None
    if created_user:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=invitation.email, password=password, full_name=full_name.strip()
                )
        except IntegrityError:  # the account was created by another request meanwhile
            raise account_exists(invitation) from None
    # The person joining is the actor of everything that follows (a new account included).
    actor = actor if isinstance(actor, User) else user
    membership, already_member = invitation_join(actor=actor, invitation=invitation, user=user)
    return Acceptance(membership, user, created_user, already_member)


def pending_for(org, email: str) -> Invitation | None:
    """The pending, unexpired invitation of `email` (any case) to `org`, locked, or None —
    also when the membership it offered has ended (orgs.expiry): like the link, it can't be
    used any more, and the SSO sign-in joins as without one."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(org=org, email__iexact=email, status=InvitationStatus.PENDING)
        .order_by("pk")
        .first()
    )
    return None if invitation is None or is_spent(invitation) else invitation


@service
def invitation_join(*, actor, invitation: Invitation, user) -> tuple[OrgMembership, bool]:
    """Apply a locked, usable invitation to `user`: join with its role and workspace roles
    (unless already a member) and mark it accepted. Used by the accept link and by
    just-in-time SSO membership. Returns (membership, was already a member)."""
    org = invitation.org
    membership = OrgMembership.objects.filter(org=org, user=user).first()
    already_member = membership is not None
    if not already_member:
        membership = services.member_add(
            actor=actor, org=org, user=user, role=invitation.role, until=invitation.until
        )
        items = {item["workspace"]: item for item in invitation.workspace_roles}
        now = timezone.now()
        # Workspaces deleted since the invitation was sent are skipped, and so are roles whose
        # end has passed (orgs.expiry): the ends are copied to the grants.
        for workspace in Workspace.objects.filter(org=org, pk__in=items).order_by("pk"):
            item = items[workspace.pk]
            until = role_end(item)
            if not expiry.is_current(until, now):
                continue
            workspace_services.workspace_member_set(
                actor=actor, workspace=workspace, user=user, role=item["role"], until=until
            )
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
    permissions.forget_access(user)
    return membership, already_member


@service
def sso_join(*, actor, sso: SSOConfiguration, email: str, full_name: str = "") -> User:
    """Just-in-time membership after a successful sign-in through `sso`'s IdP: the account for
    `email` (matched case-insensitively, created without a usable password if there is none)
    joins the org — with the role and workspaces of a pending invitation if one exists, else as
    User with no workspace access. A member already is returned unchanged.

    `actor`: the person signing in (a User) or None when they have no account yet (the account
    is created here); every entry names the person (their account) as actor, plus one
    "sso_join" entry with source "sso".
    Raises ServiceError if `email` is not in a verified domain the configuration covers, or the
    account is deactivated."""
    email = User.objects.normalize_email(email)
    if not covers(sso, email):
        raise ServiceError(
            f"{email or 'This address'} is not in a domain that {sso.org.name}'s SSO covers.",
            code="not_covered",
        )
    user = actor if isinstance(actor, User) else User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    if not user.is_active:
        raise ServiceError(f"The account {email} is deactivated.", code="inactive")
    org = sso.org
    if OrgMembership.objects.filter(org=org, user=user).exists():
        return user
    with as_actor(user):
        invitation = pending_for(org, email)
        if invitation is not None:
            invitation_join(actor=user, invitation=invitation, user=user)
            role = invitation.role
        else:
            role = services.member_add(actor=user, org=org, user=user).role
        record(
            action="created",
            org=org,
            entity_type="sso_join",
            entity_id=user.pk,
            entity_label=email,
            changes={"source": [None, "sso"], "role": [None, role]},
        )
    return user
