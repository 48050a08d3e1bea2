"""Every page of SPEC §4 as each persona sees it, for the layout/axe test and `make screenshots`.

`pages_for(email)` → list of (name, path) the persona can open (200), plus the designed error
pages they meet (a 403 for a capability they lack, a 404 for a workspace they can't see).
Ids come from the demo data of SPEC §7 (seeded by the `demo` fixture).
"""

from datetime import timedelta

from django.utils import timezone

from orgs.models import Organization, Team, User
from orgs.reviews.models import AccessReview, ItemKind
from orgs.reviews.services import review_start
from workspaces.models import Asset, BrandKit, Flow, FlowTemplate, Workspace

PERSONAS = ("admin@acme.test", "wsadmin@acme.test", "viewer@acme.test")
WIDTHS = (390, 768, 1280)
ORG = "/orgs/acme/"
WS = "/orgs/acme/w/marketing/"


def _workspace_pages(*, manage: bool, edit: bool) -> list[tuple[str, str]]:
    flow = Flow.objects.filter(workspace__slug="marketing").order_by("pk").first()
    template = FlowTemplate.objects.filter(workspace__slug="marketing").order_by("pk").first()
    kit = BrandKit.objects.filter(workspace__slug="marketing").order_by("pk").first()
    asset = Asset.objects.filter(workspace__slug="marketing").order_by("pk").first()
    pages = [
        ("flows", f"{WS}flows/"),
        ("flow", f"{WS}flows/{flow.pk}/"),
        ("templates", f"{WS}templates/"),
        ("template", f"{WS}templates/{template.pk}/"),
        ("assets", f"{WS}assets/"),
        ("brand-kits", f"{WS}brand-kits/"),
        ("brand-kit", f"{WS}brand-kits/{kit.pk}/"),
        ("analytics", f"{WS}analytics/"),
    ]
    if asset:
        pages.append(("asset", f"{WS}assets/{asset.pk}/"))
    if edit:
        pages += [
            ("flow-new", f"{WS}flows/new/"),
            ("flow-edit", f"{WS}flows/{flow.pk}/edit/"),
            ("flow-delete", f"{WS}flows/{flow.pk}/delete/"),
            ("template-delete", f"{WS}templates/{template.pk}/delete/"),
            ("template-new", f"{WS}templates/new/"),
            ("asset-new", f"{WS}assets/new/"),
            ("brand-kit-new", f"{WS}brand-kits/new/"),
            ("audience", f"{WS}audience/"),
        ]
    if manage:
        pages += [
            (f"manage-{tab}", f"{WS}manage/{tab}/")
            for tab in ("members", "teams", "domains", "integrations", "settings")
        ]
        pages.append(("manage-member-add", f"{WS}manage/members/add/"))
    return pages


def _review():
    """An open access review of acme (started once per test database)."""
    review = AccessReview.objects.filter(org__slug="acme").first()
    if review is None:
        admin = User.objects.get(email="admin@acme.test")
        acme = Organization.objects.get(slug="acme")
        deadline = timezone.now() + timedelta(days=7)
        review = review_start(actor=admin, org=acme, name="Q1 review", deadline=deadline)
    return review


def _review_pages(*, manage: bool) -> list[tuple[str, str]]:
    review = _review()
    item = review.items.get(kind=ItemKind.WORKSPACE, email="editor@acme.test")
    base = f"{ORG}reviews/{review.pk}/"
    pages = [
        ("reviews", f"{ORG}reviews/"),
        ("review-queue", f"{base}queue/"),
        ("review-item", f"{base}items/{item.pk}/?decision=change"),
    ]
    if manage:
        pages += [
            ("review-start", f"{ORG}reviews/new/"),
            ("review", base),
            ("review-evidence", f"{base}evidence/"),
            ("review-close", f"{base}close/"),
        ]
    return pages


def pages_for(email: str) -> list[tuple[str, str]]:
    pages = [("home", "/"), ("jump", "/jump/?q=a")]
    if email == "admin@acme.test":
        team = Team.objects.filter(org__slug="acme").order_by("pk").first()
        member = User.objects.get(email="viewer@acme.test")
        marketing = Workspace.objects.get(org__slug="acme", slug="marketing")
        pages += [
            ("dashboard", ORG),
            ("workspaces", f"{ORG}workspaces/"),
            ("workspace-delete", f"{ORG}workspaces/{marketing.pk}/delete/"),
            ("teams", f"{ORG}teams/"),
            ("team", f"{ORG}teams/{team.pk}/"),
            ("team-settings", f"{ORG}teams/{team.pk}/settings/"),
            ("team-delete", f"{ORG}teams/{team.pk}/delete/"),
            ("members", f"{ORG}users/"),
            ("member-profile", f"{ORG}users/{member.pk}/"),
            ("member-remove", f"{ORG}users/{member.pk}/remove/"),
            ("invite", f"{ORG}users/invite/"),
            ("invitations", f"{ORG}invitations/"),
            ("activity", f"{ORG}activity/"),
            ("activity-integrity", f"{ORG}activity/integrity/"),
            ("settings", f"{ORG}settings/"),
            ("settings-integrations", f"{ORG}settings/integrations/"),
            ("settings-activity-stream", f"{ORG}settings/integrations/activity-stream/"),
            ("settings-sso", f"{ORG}settings/sso/"),
            ("settings-domains", f"{ORG}settings/domains/"),
        ]
        pages += _workspace_pages(manage=True, edit=True)
        pages += _review_pages(manage=True)
    elif email == "wsadmin@acme.test":
        pages += _workspace_pages(manage=True, edit=True)
        pages += _review_pages(manage=False)
        pages.append(("403-console", ORG))
    else:
        pages += _workspace_pages(manage=False, edit=False)
        pages += [("403-new-flow", f"{WS}flows/new/"), ("404-workspace", "/orgs/acme/w/sales/")]
    return pages
