from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.urls import reverse

from orgs import accounts, services
from orgs.management.base import FlowadminCommand
from orgs.models import User


class Command(FlowadminCommand):
    help = "Create an organization with its first admin (the user is created if needed)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The organization's name.")
        parser.add_argument("--admin", required=True, help="Email of the first Org Admin.")
        parser.add_argument("--slug", help="URL slug (default: derived from the name).")

    def handle(self, *args, name, admin, slug=None, **options):
        email = admin.strip().lower()
        services.require_fit(User, email=email)
        try:
            validate_email(email)
            if slug:
                validate_slug(slug)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        with transaction.atomic():
            user = User.objects.filter(email__iexact=email).first()
            created_user = user is None
            if created_user:
                user = accounts.user_create(actor=self.actor, email=email)
            org = services.org_create(actor=self.actor, name=name, admin=user, slug=slug)
        self.stdout.write(f"Created {org.name} ({org.slug}) with admin {user.email}.")
        if created_user:
            self.stdout.write(
                f"{user.email} has no password yet: they can set one at "
                f"{reverse('password_reset')}."
            )
