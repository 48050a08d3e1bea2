from django.urls import path  # noqa: F401

from .views import invitations, users

app_name = "orgs"

# The Org Admin console (Dashboard, Workspaces, Teams, Users, Settings) mounts here under
# /orgs/<org_slug>/.
urlpatterns = []

# Users and invitations (issue 4).
urlpatterns += [
    path("users/", users.user_list, name="users"),
    path("users/invite/", invitations.invite, name="invite"),
    path("users/<int:user_id>/", users.user_profile, name="user_profile"),
    path("users/<int:user_id>/role/", users.user_role, name="user_role"),
    path(
        "users/<int:user_id>/workspaces/<int:workspace_id>/",
        users.user_workspace,
        name="user_workspace",
    ),
    path("users/<int:user_id>/remove/", users.user_remove, name="user_remove"),
    path("invitations/", invitations.invitation_list, name="invitations"),
    path(
        "invitations/<int:invitation_id>/resend/",
        invitations.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        invitations.invitation_revoke,
        name="invitation_revoke",
    ),
]
