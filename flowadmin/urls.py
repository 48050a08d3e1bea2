from allauth.account import views as allauth_views
from allauth.urls import build_provider_urlpatterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from orgs.views import invitations as invitation_views
from orgs.views import palette
from workspaces.views.scan import scan_redirect

from . import operations, signin, views

# The parts of django-allauth this site uses: two-factor authentication (2fa/), the SSO flows
# (oidc/<org>/…, saml/<org>/…, 3rdparty/ error pages) and reauthentication; its own login,
# sign-up and password pages are replaced by flowadmin.signin and Django's auth views.
allauth_urlpatterns = [
    path("login/", signin.login, name="account_login"),
    path("signup/", signin.login, name="account_signup"),
    path("logout/", auth_views.LogoutView.as_view(), name="account_logout"),
    path("inactive/", allauth_views.account_inactive, name="account_inactive"),
    path("reauthenticate/", allauth_views.reauthenticate, name="account_reauthenticate"),
    path("2fa/", include("allauth.mfa.urls")),
    path("3rdparty/", include("allauth.socialaccount.urls")),
    path(
        "saml/<str:organization_slug>/acs/finish/",
        signin.saml_finish_acs,
        name="saml_finish_acs",
    ),
    *build_provider_urlpatterns(),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("jump/", palette.jump, name="jump"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("metrics", operations.metrics, name="metrics"),
    path("accounts/login/", signin.login, name="login"),
    path("accounts/password_reset/", signin.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        signin.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include(allauth_urlpatterns)),
    path("admin/", admin.site.urls),
    path("invitations/<str:token>/", invitation_views.accept, name="invitation_accept"),
    path("orgs/<slug:org_slug>/", include("orgs.urls")),
    path("orgs/<slug:org_slug>/activity/", include("audit.urls")),
    path("orgs/<slug:org_slug>/w/<slug:ws_slug>/", include("workspaces.urls")),
    path("s/<str:code>", scan_redirect, name="scan"),
    path("scim/v2/<slug:org_slug>/", include("orgs.scim.urls")),
]

handler403 = "flowadmin.views.permission_denied"
handler404 = "flowadmin.views.page_not_found"
handler500 = "flowadmin.views.server_error"
