"""Every page of SPEC §4 as each persona sees it, for the layout/axe test and `make screenshots`.

`pages_for(email)` → list of (name, path) the persona can open (200), plus the designed error
pages they meet (a 403 for a capability they lack, a 404 for a workspace they can't see).
Ids come from the demo data of SPEC §7 (seeded by the `demo` fixture).
"""

import datetime

from django.utils import timezone

from orgs.models import Organization, Team, User
from orgs.reviews.models import AccessReview, AccessReviewItem
from orgs.reviews.services import review_start
from workspaces.models import Asset, BrandKit, Flow, FlowTemplate

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


def _review() -> AccessReview:
    """acme's access review (started by its admin when the demo has none): the workspace
    admins review their workspaces, the Org Admins the org roles."""
    review = AccessReview.objects.filter(org__slug="acme").order_by("pk").first()
    if review is None:
        review = review_start(
            actor=User.objects.get(email="admin@acme.test"),
            org=Organization.objects.get(slug="acme"),
            name="Quarterly access review",
            deadline=timezone.now() + datetime.timedelta(days=14),
        )
    return review


def _review_pages(email: str) -> list[tuple[str, str]]:
    review = _review()
    base = f"{ORG}reviews/{review.pk}/"
    pages = [("reviews", f"{ORG}reviews/")]
    if email == "admin@acme.test":
        pages += [
            ("review-start", f"{ORG}reviews/new/"),
            ("review", base),
            ("review-evidence", f"{base}evidence/"),
        ]
    # Reviewers' pages: the Org Admin reviews the org roles, the Workspace Admin Marketing.
    if email == "admin@acme.test":
        item = AccessReviewItem.objects.filter(review=review, workspace=None).order_by("pk")
        pages.append(("review-queue", f"{base}queue/?scope=org"))
    elif email == "wsadmin@acme.test":
        item = AccessReviewItem.objects.filter(review=review, workspace__slug="marketing")
        pages.append(("review-queue", f"{base}queue/?scope={item.first().workspace_id}"))
    else:
        return pages
    pages.append(("review-item", f"{base}items/{item.order_by('pk').first().pk}/"))
    return pages


def pages_for(email: str) -> list[tuple[str, str]]:
    pages = [("home", "/"), ("jump", "/jump/?q=a"), *_review_pages(email)]
    if email == "admin@acme.test":
        team = Team.objects.filter(org__slug="acme").order_by("pk").first()
        member = User.objects.get(email="viewer@acme.test")
        pages += [
            ("dashboard", ORG),
            ("workspaces", f"{ORG}workspaces/"),
            ("teams", f"{ORG}teams/"),
            ("team", f"{ORG}teams/{team.pk}/"),
            ("team-settings", f"{ORG}teams/{team.pk}/settings/"),
            ("members", f"{ORG}users/"),
            ("member-profile", f"{ORG}users/{member.pk}/"),
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
    elif email == "wsadmin@acme.test":
        pages += _workspace_pages(manage=True, edit=True)
        pages.append(("403-console", ORG))
    else:
        pages += _workspace_pages(manage=False, edit=False)
        pages += [("403-new-flow", f"{WS}flows/new/"), ("404-workspace", "/orgs/acme/w/sales/")]
    return pages
