from datetime import timedelta

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from orgs import accounts, invitations, removal, services
from orgs.management.base import FlowadminCommand
from orgs.models import Invitation, Organization, OrgMembership, Team, User
from orgs.roles import OrgRole
from workspaces import services as workspace_services
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership
from workspaces.seed import seed_workspace_content

DEMO_PASSWORD = "flowadmin-demo"

ORGS = {
    "acme": ("Acme", ["marketing", "sales", "events"]),
    "globex": ("Globex", ["main"]),
}

# email, full name, org slug, org role
PEOPLE = [
    ("admin@acme.test", "Ada Admin", "acme", OrgRole.ADMIN),
    ("wsadmin@acme.test", "Walt Workspace", "acme", OrgRole.USER),
    ("editor@acme.test", "Eddie Editor", "acme", OrgRole.USER),
    ("viewer@acme.test", "Vera Viewer", "acme", OrgRole.USER),
    ("audience@acme.test", "Aud Ience", "acme", OrgRole.USER),
    ("flows@acme.test", "Flo Manager", "acme", OrgRole.USER),
    ("teamuser@acme.test", "Tim Teamer", "acme", OrgRole.USER),
    ("outsider@acme.test", "Otto Outsider", "acme", OrgRole.USER),
    ("admin@globex.test", "Gloria Globex", "globex", OrgRole.ADMIN),
]

# email, workspace, role, extra flags (on top of the role's defaults)
WORKSPACE_ROLES = [
    ("wsadmin@acme.test", "marketing", "admin", {}),
    ("editor@acme.test", "marketing", "editor", {}),
    ("viewer@acme.test", "marketing", "viewer", {}),
    ("audience@acme.test", "marketing", "viewer", {"audience_viewer": True}),
    ("flows@acme.test", "marketing", "viewer", {"flows_manager": True}),
]

TEAMS = [
    # org, team, description, members, [(workspace, role)]
    (
        "acme",
        "Field Sales",
        "Sales reps on the road.",
        ["teamuser@acme.test"],
        [("sales", "editor")],
    ),
]

OPERATOR = ("ops@flowadmin.test", "Ops Operator")

# email, org role, [(workspace, role)], expired?
INVITATIONS = [
    ("newhire@acme.test", OrgRole.USER, [("marketing", "editor")], False),
    ("late@acme.test", OrgRole.USER, [("events", "viewer")], True),
]


class Command(FlowadminCommand):
    help = "Create the demo users, orgs, teams and workspaces of SPEC §7 (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEMO_PASSWORD,
            help=f"Password for every demo user (default {DEMO_PASSWORD}).",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply the flows, audience contacts and scans of every workspace by N, for "
            "load tests (default 1; 420 gives a million scans).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the demo orgs exist already (`make run` seeds only once).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo orgs (acme, globex) with everything in them first, then seed "
            "them anew; other orgs are not touched.",
        )

    @transaction.atomic
    def handle(self, *args, password, scale, if_empty=False, reset=False, **options):
        if scale < 1:
            raise CommandError(f"--scale must be a whole number of at least 1, not {scale}.")
        if not password or not password.strip():
            raise CommandError("--password must not be empty.")
        demo_orgs = Organization.objects.filter(slug__in=ORGS)
        if if_empty and demo_orgs.exists():
            self.stdout.write("The demo data is there already: nothing to do (--if-empty).")
            return
        actor = self.actor
        if reset:
            for org in demo_orgs.order_by("pk"):
                removal.org_delete(actor=actor, org=org)
        users = {email: self._user(email, name, password, reset) for email, name, *_ in PEOPLE}
        self._user(*OPERATOR, password, reset, operator=True)

        orgs = {}
        for slug, (name, workspace_slugs) in ORGS.items():
            first_admin = next(users[e] for e, _, o, r in PEOPLE if o == slug and r == "admin")
            org = Organization.objects.filter(slug=slug).first() or services.org_create(
                actor=actor, name=name, slug=slug, admin=first_admin
            )
            orgs[slug] = (
                org,
                {
                    ws_slug: org.workspaces.filter(slug=ws_slug).first()
                    or workspace_services.workspace_create(
                        actor=actor, org=org, name=ws_slug.capitalize(), slug=ws_slug
                    )
                    for ws_slug in workspace_slugs
                },
            )

        for email, _, org_slug, role in PEOPLE:
            org = orgs[org_slug][0]
            if not OrgMembership.objects.filter(org=org, user=users[email]).exists():
                services.member_add(actor=actor, org=org, user=users[email], role=role)

        for email, ws_slug, role, flags in WORKSPACE_ROLES:
            ws = orgs["acme"][1][ws_slug]
            if not WorkspaceMembership.objects.filter(workspace=ws, user=users[email]).exists():
                workspace_services.workspace_member_set(
                    actor=actor, workspace=ws, user=users[email], role=role, flags=flags
                )

        for org_slug, team_name, description, members, grants in TEAMS:
            org, workspaces = orgs[org_slug]
            team = Team.objects.filter(org=org, name=team_name).first() or services.team_create(
                actor=actor, org=org, name=team_name, description=description
            )
            for email in members:
                if not team.members.filter(pk=users[email].pk).exists():
                    services.team_member_add(actor=actor, team=team, user=users[email])
            for ws_slug, role in grants:
                if not TeamAccess.objects.filter(team=team, workspace=workspaces[ws_slug]).exists():
                    workspace_services.team_access_set(
                        actor=actor, team=team, workspace=workspaces[ws_slug], role=role
                    )

        seed_invitations(actor, orgs["acme"][0], orgs["acme"][1])

        # Only the demo orgs' workspaces: workspaces people created are never filled.
        demo_workspaces = Workspace.objects.filter(org__slug__in=ORGS)
        content = seed_workspace_content(actor=actor, scale=scale, workspaces=demo_workspaces)
        self.stdout.write(f"Workspace content: {content}.")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Log in at {reverse('login')} with password {password!r} as:")
        for email, _name, org_slug, role in PEOPLE:
            self.stdout.write(f"  {email:<22} {org_slug} {role}")
        self.stdout.write(f"  {OPERATOR[0]:<22} Django superuser for {reverse('admin:index')}")

    def _user(self, email, full_name, password, reset=False, operator=False):
        """The demo account (created with `password`; with `reset`, its password is set again)."""
        user = User.objects.filter(email=email).first()
        if user is None:
            return accounts.user_create(
                actor=self.actor,
                email=email,
                full_name=full_name,
                password=password,
                is_staff=operator,
                is_superuser=operator,
            )
        if reset:
            accounts.user_password_set(actor=self.actor, user=user, password=password)
        return user


def seed_invitations(actor, org, workspaces):
    """A pending and an expired invitation (SPEC §7), not emailed; the expired one was issued
    three days longer ago than an invitation lasts. Skips emails that were already invited."""
    for email, role, grants, expired in INVITATIONS:
        if Invitation.objects.filter(org=org, email=email).exists():
            continue
        ttl = timedelta(days=settings.INVITATION_TTL_DAYS)
        invitations.invitation_create(
            actor=actor,
            org=org,
            email=email,
            role=role,
            workspace_roles=[(workspaces[ws], ws_role) for ws, ws_role in grants],
            send=False,
            issued_at=timezone.now() - ttl - timedelta(days=3) if expired else None,
        )
        if expired:
            invitations.invitations_expire(actor=actor, org=org)
