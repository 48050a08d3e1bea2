"""factory-boy factories for every model, with role traits."""

import factory
from django.utils import timezone

from orgs.models import (
    Domain,
    IntegrationInstallation,
    Invitation,
    Organization,
    OrgMembership,
    SSOConfiguration,
    Team,
    TeamMembership,
    User,
)
from orgs.permissions import flag_defaults
from workspaces.models import (
    Asset,
    AudienceContact,
    BrandKit,
    Flow,
    FlowTemplate,
    Scan,
    TeamAccess,
    Workspace,
    WorkspaceMembership,
)
from workspaces.services import scan_days_add

PASSWORD = "s3cret-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    class Params:
        operator = factory.Trait(is_staff=True, is_superuser=True)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class OrgMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgMembership

    org = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = "user"

    class Params:
        admin = factory.Trait(role="admin")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """The membership a workspace or team member factory made implicitly (see _org_member)
        takes the role asked for here."""
        existing = model_class.objects.filter(org=kwargs["org"], user=kwargs["user"]).first()
        if existing is None:
            return super()._create(model_class, *args, **kwargs)
        for name, value in kwargs.items():
            setattr(existing, name, value)
        existing.save()
        return existing


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


def _org_member(org, user):
    """Workspace and team members are members of the org (orgs.models.require_org_member):
    a factory row for a user who is not one yet makes them an Org User first."""
    OrgMembership.objects.get_or_create(org=org, user=user)


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        _org_member(kwargs["team"].org, kwargs["user"])
        return super()._create(model_class, *args, **kwargs)


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"ws-{n}")


class _GrantFactory(factory.django.DjangoModelFactory):
    """Role with its default flags unless a flag is given explicitly."""

    role = "viewer"
    flows_manager = factory.LazyAttribute(lambda o: flag_defaults(o.role)["flows_manager"])
    brand_kits_manager = factory.LazyAttribute(
        lambda o: flag_defaults(o.role)["brand_kits_manager"]
    )
    audience_viewer = factory.LazyAttribute(lambda o: flag_defaults(o.role)["audience_viewer"])

    class Params:
        admin = factory.Trait(role="admin")
        editor = factory.Trait(role="editor")
        viewer = factory.Trait(role="viewer")


class WorkspaceMembershipFactory(_GrantFactory):
    class Meta:
        model = WorkspaceMembership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        _org_member(kwargs["workspace"].org, kwargs["user"])
        return super()._create(model_class, *args, **kwargs)


class TeamAccessFactory(_GrantFactory):
    class Meta:
        model = TeamAccess

    team = factory.SubFactory(TeamFactory)
    workspace = factory.SubFactory(WorkspaceFactory, org=factory.SelfAttribute("..team.org"))


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    org = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    sent_at = factory.LazyFunction(timezone.now)
    delivery = "sent"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain

    org = factory.SubFactory(OrganizationFactory)
    hostname = factory.Sequence(lambda n: f"go{n}.example.com")

    class Params:
        verified = factory.Trait(status="verified", verified_at=factory.LazyFunction(timezone.now))


class SSOConfigurationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SSOConfiguration

    org = factory.SubFactory(OrganizationFactory)
    protocol = "saml"
    entity_id = "https://idp.example.com/entity"
    metadata_url = "https://idp.example.com/metadata.xml"


class IntegrationInstallationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntegrationInstallation

    org = factory.SubFactory(OrganizationFactory)
    app = "hubspot"


class FlowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flow

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Flow {n}")
    destination_url = "https://example.com/landing"
    short_code = factory.Sequence(lambda n: f"c{n:07d}")


class FlowTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FlowTemplate

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    default_destination = "https://example.com/"


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"asset-{n}.pdf")
    file = factory.django.FileField(filename="asset.pdf", data=b"%PDF-1.4\n%%EOF\n")
    content_type = "application/pdf"
    size = 15


class BrandKitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrandKit

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Brand {n}")


class AudienceContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AudienceContact

    workspace = factory.SubFactory(WorkspaceFactory)
    email = factory.Sequence(lambda n: f"contact{n}@example.test")
    name = factory.Faker("name")


class ScanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scan

    flow = factory.SubFactory(FlowFactory)
    workspace = factory.SelfAttribute("flow.workspace")
    country = "US"
    device = "mobile"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """The scan, then its day's rollup (ScanDay), as workspaces.services writes them."""
        scan = super()._create(model_class, *args, **kwargs)
        scan_days_add(scan.workspace_id, {timezone.localdate(scan.scanned_at): 1})
        return scan


def leave_org_behind_the_models_back(user, org=None) -> None:
    """Delete `user`'s org membership (in `org`, or all) and keep their team and workspace
    grants: the stale state the models refuse, for tests that the policy ignores it. On
    PostgreSQL the deferred no-orphans trigger would refuse it at the test's constraint check,
    so the delete runs with triggers off (`session_replication_role = replica`, superuser only,
    as the suite runs) and they are back on after it."""
    from django.db import connection

    memberships = OrgMembership.objects.filter(user=user)
    if org is not None:
        memberships = memberships.filter(org=org)
    if connection.vendor != "postgresql":
        memberships.delete()
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            memberships.delete()
        finally:
            cursor.execute("SET LOCAL session_replication_role = origin")
