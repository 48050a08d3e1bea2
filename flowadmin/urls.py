import os

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from orgs.views import invitations as invitation_views
from workspaces.views.scan import scan_redirect

from . import operations, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("metrics", operations.metrics, name="metrics"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("invitations/<str:token>/", invitation_views.accept, name="invitation_accept"),
    path("orgs/<slug:org_slug>/", include("orgs.urls")),
    path("orgs/<slug:org_slug>/activity/", include("audit.urls")),
    path("orgs/<slug:org_slug>/w/<slug:ws_slug>/", include("workspaces.urls")),
    path("s/<str:code>", scan_redirect, name="scan"),
]

handler403 = "flowadmin.views.permission_denied"
handler404 = "flowadmin.views.page_not_found"
handler500 = "flowadmin.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    # Development only, and only the public uploads (avatars): workspace assets and brand-kit
    # logos are served by member-only views, never from a media URL.
    urlpatterns += static(
        f"{settings.MEDIA_URL}avatars/", document_root=os.path.join(settings.MEDIA_ROOT, "avatars")
    )
