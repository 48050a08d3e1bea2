"""Serves stored avatars to the members of their org, in DEBUG and in production alike (the
media directory itself is not served in production). The URL carries the stored file's name,
which changes with every upload, so browsers may cache the image for good."""

import posixpath

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from workspaces.models import Workspace

from ..decorators import org_view
from ..models import Team

CACHE_CONTROL = "private, max-age=31536000, immutable"


def _owner(request, kind, pk):
    org = request.org
    if kind == "org":
        return org if pk == org.pk else None
    if kind == "team":
        return Team.objects.filter(org=org, pk=pk).only("pk", "org", "avatar").first()
    if kind == "workspace":
        # Members see the avatars of the workspaces they can see, as everywhere else.
        if request.org_access.workspace(pk) is None:
            return None
        return Workspace.objects.filter(org=org, pk=pk).only("pk", "org", "avatar").first()
    return None


@require_GET
@org_view("org.view")
def avatar(request, kind, pk, filename):
    owner = _owner(request, kind, pk)
    if owner is None or not owner.avatar or posixpath.basename(owner.avatar.name) != filename:
        raise Http404("No such avatar.")
    try:
        handle = owner.avatar.open("rb")
    except FileNotFoundError:
        raise Http404("No such avatar.") from None
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = CACHE_CONTROL
    response["Content-Disposition"] = "inline"
    return response
