"""Assets: list, upload, detail, download, delete. Files are only ever served through
`asset_download`, to members who may see the workspace (SPEC §2, §3.2)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from flowadmin.htmx import paginate, partial_or_page, render_page
from workspaces.decorators import workspace_view

from .. import uploads
from ..forms.content import AssetUploadForm
from ..models import Asset
from ..selectors import content as content_selectors
from ..services import content as content_services
from ._content import PER_PAGE, confirm_delete, ws_url

LIST = "workspaces/assets/list.html"


def _asset(request, asset_id) -> Asset:
    return get_object_or_404(Asset, pk=asset_id, workspace=request.workspace)


def private_file_response(field_file, *, content_type, filename, inline) -> FileResponse:
    """A stored upload as a response no browser will reinterpret: the type we determined,
    nosniff, a sandboxing CSP, and never cached by shared caches."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    response = FileResponse(
        handle, as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@workspace_view("ws.view")
def asset_list(request):
    page = paginate(request, content_selectors.assets(request.workspace), PER_PAGE)
    return render(request, partial_or_page(request, LIST, "results"), {"page": page})


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage_assets")
def asset_new(request):
    form = AssetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            asset = content_services.asset_create(
                actor=request.user,
                workspace=request.workspace,
                upload=form.cleaned_data["file"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, f"“{asset.name}” uploaded.")
            return redirect(ws_url(request, "asset_detail", asset.pk))
    return render_page(
        request,
        "workspaces/assets/form.html",
        {"form": form, "max_size": settings.ASSET_MAX_BYTES},
        refused=form.errors,
    )


@require_GET
@workspace_view("ws.view")
def asset_detail(request, asset_id):
    asset = get_object_or_404(
        Asset.objects.select_related("uploaded_by"), pk=asset_id, workspace=request.workspace
    )
    return render(
        request,
        "workspaces/assets/detail.html",
        {"asset": asset, "download_name": uploads.download_name(asset.name, asset.content_type)},
    )


@require_GET
@workspace_view("ws.view")
def asset_download(request, asset_id):
    """The file itself; `?inline=1` shows an image in the page (PDFs always download)."""
    asset = _asset(request, asset_id)
    inline = request.GET.get("inline") == "1" and asset.content_type.startswith("image/")
    return private_file_response(
        asset.file,
        content_type=asset.content_type,
        filename=uploads.download_name(asset.name, asset.content_type),
        inline=inline,
    )


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage_assets")
def asset_delete(request, asset_id):
    asset = _asset(request, asset_id)
    if request.method == "POST":
        content_services.asset_delete(actor=request.user, asset=asset)
        messages.success(request, f"“{asset.name}” deleted.")
        return redirect(ws_url(request, "asset_list"))
    return confirm_delete(
        request,
        asset,
        kind="asset",
        consequence="The file is removed for everyone; links to it stop working.",
        cancel=ws_url(request, "asset_detail", asset.pk),
    )
