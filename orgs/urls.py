from django.urls import path

import flowadmin.params  # noqa: F401  (registers the <id:…> path converter)

from .views import (
    access,
    avatars,
    dashboard,
    invitations,
    reviews,
    scim,
    settings,
    teams,
    undo,
    users,
    workspaces,
)

app_name = "orgs"

# The Org Admin console (Dashboard, Workspaces, Teams, Users, Settings) mounts here under
# /orgs/<org_slug>/ (SPEC §4).
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("undo/", undo.undo_removal, name="undo"),
    # Workspaces
    path("workspaces/", workspaces.workspace_list, name="workspaces"),
    path(
        "workspaces/<id:workspace_id>/delete/",
        workspaces.workspace_delete,
        name="workspace_delete",
    ),
    # Teams
    path("teams/", teams.team_list, name="teams"),
    path("teams/<id:team_id>/", teams.team_detail, name="team"),
    path("teams/<id:team_id>/members/", teams.team_member_add, name="team_member_add"),
    path(
        "teams/<id:team_id>/members/<id:user_id>/until/",
        teams.team_member_until,
        name="team_member_until",
    ),
    path(
        "teams/<id:team_id>/members/<id:user_id>/remove/",
        teams.team_member_remove,
        name="team_member_remove",
    ),
    path("teams/<id:team_id>/access/", teams.team_access_add, name="team_access_add"),
    path(
        "teams/<id:team_id>/access/<id:workspace_id>/",
        teams.team_access_change,
        name="team_access_change",
    ),
    path(
        "teams/<id:team_id>/access/<id:workspace_id>/remove/",
        teams.team_access_remove,
        name="team_access_remove",
    ),
    path("teams/<id:team_id>/settings/", teams.team_settings, name="team_settings"),
    path("teams/<id:team_id>/delete/", teams.team_delete, name="team_delete"),
    # Settings
    path("settings/", settings.org_settings, name="settings"),
    path("settings/integrations/", settings.integration_list, name="integrations"),
    path(
        "settings/integrations/activity-stream/",
        settings.activity_stream,
        name="activity_stream",
    ),
    path(
        "settings/integrations/activity-stream/remove/",
        settings.activity_stream_remove,
        name="activity_stream_remove",
    ),
    path(
        "settings/integrations/<slug:app_key>/",
        settings.integration_detail,
        name="integration",
    ),
    path(
        "settings/integrations/<slug:app_key>/enabled/",
        settings.integration_enabled,
        name="integration_enabled",
    ),
    path(
        "settings/integrations/<slug:app_key>/uninstall/",
        settings.integration_uninstall,
        name="integration_uninstall",
    ),
    path("settings/sso/", settings.sso, name="sso"),
    path("settings/domains/", settings.domain_list, name="domains"),
    path("settings/scim/", scim.scim_tokens, name="scim"),
    path("settings/scim/<id:token_id>/revoke/", scim.scim_token_revoke, name="scim_token_revoke"),
    path("settings/domains/<id:domain_id>/verify/", settings.domain_verify, name="domain_verify"),
    path("settings/domains/<id:domain_id>/remove/", settings.domain_remove, name="domain_remove"),
    # Avatars (org, teams, workspaces), served to the org's members
    path(
        "avatars/<str:kind>/<id:pk>/<str:filename>",
        avatars.avatar,
        name="avatar",
    ),
]

# Users and invitations.
urlpatterns += [
    path("users/", users.user_list, name="users"),
    path("access.csv", access.access_csv, name="access_csv"),
    path("users/invite/", invitations.invite, name="invite"),
    path("users/<id:user_id>/", users.user_profile, name="user_profile"),
    path("users/<id:user_id>/role/", users.user_role, name="user_role"),
    path(
        "users/<id:user_id>/workspaces/<id:workspace_id>/",
        users.user_workspace,
        name="user_workspace",
    ),
    path("users/<id:user_id>/remove/", users.user_remove, name="user_remove"),
    path("invitations/", invitations.invitation_list, name="invitations"),
    path(
        "invitations/<id:invitation_id>/resend/",
        invitations.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<id:invitation_id>/revoke/",
        invitations.invitation_revoke,
        name="invitation_revoke",
    ),
]

# Access reviews (SPEC §10).
urlpatterns += [
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/new/", reviews.review_start, name="review_start"),
    path("reviews/<id:review_id>/", reviews.review_detail, name="review"),
    path(
        "reviews/<id:review_id>/reviewers/", reviews.review_reviewer_add, name="review_reviewer_add"
    ),
    path(
        "reviews/<id:review_id>/reviewers/remove/",
        reviews.review_reviewer_remove,
        name="review_reviewer_remove",
    ),
    path("reviews/<id:review_id>/close/", reviews.review_close, name="review_close"),
    path("reviews/<id:review_id>/queue/", reviews.review_queue, name="review_queue"),
    path("reviews/<id:review_id>/items/<id:item_id>/", reviews.review_item, name="review_item"),
    path("reviews/<id:review_id>/evidence/", reviews.review_evidence, name="review_evidence"),
    path(
        "reviews/<id:review_id>/evidence.csv",
        reviews.review_evidence_csv,
        name="review_evidence_csv",
    ),
]
