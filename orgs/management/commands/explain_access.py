from django.core.management.base import CommandError

from orgs import permissions
from orgs.management.base import FlowadminCommand
from orgs.roles import FLAG_LABELS, FLAGS


class Command(FlowadminCommand):
    help = "Print a user's effective access to an org or workspace and where each part comes from."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("target", metavar="ORG[/WS]")

    def handle(self, *args, email, target, **options):
        org_slug, _, ws_slug = target.partition("/")
        org = self.get_org(org_slug)
        user = self.get_user(email)
        access = permissions.org_access(user, org)
        if not access.is_member:
            raise CommandError(f"{user.email} is not a member of {org.name}.")
        out = self.stdout.write
        if not ws_slug:
            out(f"{user.email} in {org.name}: Org {access.org_role.capitalize()}")
            for name, cap in permissions.CAPABILITIES.items():
                if cap.level == permissions.ORG:
                    out(f"  {name:<24} {'yes' if access.can(name) else 'no'}")
            return
        ws = self.get_workspace(org, ws_slug)
        ws_access = access.workspace(ws.pk)
        if ws_access is None:
            out(f"{user.email} in {org.name}/{ws.slug}: no access")
            return
        sources = ", ".join(s.label for s in ws_access.role_sources())
        out(f"{user.email} in {org.name}/{ws.slug}")
        out(f"  role: {ws_access.role} (from {sources})")
        for flag in FLAGS:
            granted = ws_access.flag_sources(flag)
            origin = f"on (from {', '.join(s.label for s in granted)})" if granted else "off"
            out(f"  {flag} [{FLAG_LABELS[flag]}]: {origin}")
        out("  capabilities:")
        for name, cap in permissions.CAPABILITIES.items():
            if cap.level == permissions.WORKSPACE:
                granted = ws_access.explain(name)
                answer = f"yes ({', '.join(s.label for s in granted)})" if granted else "no"
                out(f"    {name:<22} {answer}")
