"""Brand kits: list, create, detail, edit, delete, and the logo (served to members only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from flowadmin.htmx import paginate, partial_or_page, render_page
from workspaces.decorators import workspace_view

from .. import uploads
from ..forms.content import BrandKitForm
from ..models import BrandKit
from ..selectors import content as content_selectors
from ..services import content as content_services
from ._content import PER_PAGE, confirm_delete, ws_url
from .assets import private_file_response

LIST = "workspaces/brand_kits/list.html"


def _brand_kit(request, brand_kit_id) -> BrandKit:
    return get_object_or_404(BrandKit, pk=brand_kit_id, workspace=request.workspace)


@require_GET
@workspace_view("ws.view")
def brand_kit_list(request):
    page = paginate(request, content_selectors.brand_kits(request.workspace), PER_PAGE)
    return render(request, partial_or_page(request, LIST, "results"), {"page": page})


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage_brand_kits")
def brand_kit_new(request):
    form = BrandKitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            kit = content_services.brand_kit_create(
                actor=request.user,
                workspace=request.workspace,
                data=form.brand_kit_data(),
                logo=form.cleaned_data["logo"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Brand kit “{kit.name}” created.")
            return redirect(ws_url(request, "brand_kit_detail", kit.pk))
    return render_page(
        request, "workspaces/brand_kits/form.html", {"form": form}, refused=form.errors
    )


@require_GET
@workspace_view("ws.view")
def brand_kit_detail(request, brand_kit_id):
    kit = _brand_kit(request, brand_kit_id)
    return render(request, "workspaces/brand_kits/detail.html", {"kit": kit})


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage_brand_kits")
def brand_kit_edit(request, brand_kit_id):
    kit = _brand_kit(request, brand_kit_id)
    form = BrandKitForm(request.POST or None, request.FILES or None, brand_kit=kit)
    if request.method == "POST" and form.is_valid():
        try:
            content_services.brand_kit_update(
                actor=request.user,
                brand_kit=kit,
                data=form.brand_kit_data(),
                logo=form.cleaned_data["logo"],
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
            kit.refresh_from_db()
        else:
            messages.success(request, f"Brand kit “{kit.name}” saved.")
            return redirect(ws_url(request, "brand_kit_detail", kit.pk))
    context = {"form": form, "kit": kit}
    return render_page(request, "workspaces/brand_kits/form.html", context, refused=form.errors)


@require_GET
@workspace_view("ws.view")
def brand_kit_logo(request, brand_kit_id):
    kit = _brand_kit(request, brand_kit_id)
    content_type = uploads.stored_image_type(kit.logo) if kit.logo else None
    if content_type is None:
        raise Http404("This brand kit has no logo.")
    return private_file_response(
        kit.logo,
        content_type=content_type,
        filename=uploads.download_name(f"{kit.name} logo", content_type),
        inline=True,
    )


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage_brand_kits")
def brand_kit_delete(request, brand_kit_id):
    kit = _brand_kit(request, brand_kit_id)
    if request.method == "POST":
        content_services.brand_kit_delete(actor=request.user, brand_kit=kit)
        messages.success(request, f"Brand kit “{kit.name}” deleted.")
        return redirect(ws_url(request, "brand_kit_list"))
    return confirm_delete(
        request,
        kit,
        kind="brand kit",
        consequence="Its colors, font and logo are removed for everyone.",
        cancel=ws_url(request, "brand_kit_detail", kit.pk),
    )
