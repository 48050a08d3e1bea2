"""Shared behaviour of flowadmin's commands: an `--actor` recorded in the activity log,
input lookups that fail with one clear line, and no traceback on bad input."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from audit.context import Actor, acting_as
from orgs.errors import ServiceError
from orgs.models import Organization, User


class FlowadminCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--actor",
            default="system",
            help='Email recorded as the actor in the activity log (default: "system").',
        )
        return parser

    def execute(self, *args, **options):
        actor_email = (options.get("actor") or "system").strip().lower()
        user = User.objects.filter(email__iexact=actor_email).first()
        self.actor_user = user
        # What every service call of the command passes as `actor`: the user, or the name.
        self.actor = user or actor_email
        try:
            with acting_as(Actor(user, actor_email)):
                return super().execute(*args, **options)
        except ServiceError as error:
            raise CommandError(error.text) from None
        except BrokenPipeError:
            # The reader went away (`… | head`): stop quietly, as Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)

    # --- lookups -------------------------------------------------------------------------
    def get_org(self, slug):
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"No organization with the slug {slug!r}.")
        return org

    def get_user(self, email):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email {email!r}.")
        return user

    def get_workspace(self, org, slug):
        workspace = org.workspaces.filter(slug=slug).first()
        if workspace is None:
            raise CommandError(f"{org.name} has no workspace with the slug {slug!r}.")
        return workspace
