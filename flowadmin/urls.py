from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from workspaces.views.scan import scan_redirect

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("orgs/<slug:org_slug>/", include("orgs.urls")),
    path("orgs/<slug:org_slug>/w/<slug:ws_slug>/", include("workspaces.urls")),
    path("s/<str:code>", scan_redirect, name="scan"),
]

handler403 = "flowadmin.views.permission_denied"
handler404 = "flowadmin.views.page_not_found"
handler500 = "flowadmin.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
