from django.urls import path

import flowadmin.params  # noqa: F401  (registers the <id:…> path converter)

from .views import analytics, assets, audience, brand_kits, flows, manage, templates
from .views.manage import domains as manage_domains
from .views.manage import integrations as manage_integrations
from .views.manage import members as manage_members
from .views.manage import settings as manage_settings
from .views.manage import teams as manage_teams

app_name = "workspaces"

# Workspace pages mount here under /orgs/<org_slug>/w/<ws_slug>/.
urlpatterns = [
    # Flow templates, assets, brand kits, audience
    path("templates/", templates.template_list, name="template_list"),
    path("templates/new/", templates.template_new, name="template_new"),
    path("templates/<id:template_id>/", templates.template_detail, name="template_detail"),
    path("templates/<id:template_id>/edit/", templates.template_edit, name="template_edit"),
    path("templates/<id:template_id>/delete/", templates.template_delete, name="template_delete"),
    path("assets/", assets.asset_list, name="asset_list"),
    path("assets/new/", assets.asset_new, name="asset_new"),
    path("assets/<id:asset_id>/", assets.asset_detail, name="asset_detail"),
    path("assets/<id:asset_id>/download/", assets.asset_download, name="asset_download"),
    path("assets/<id:asset_id>/delete/", assets.asset_delete, name="asset_delete"),
    path("brand-kits/", brand_kits.brand_kit_list, name="brand_kit_list"),
    path("brand-kits/new/", brand_kits.brand_kit_new, name="brand_kit_new"),
    path("brand-kits/<id:brand_kit_id>/", brand_kits.brand_kit_detail, name="brand_kit_detail"),
    path("brand-kits/<id:brand_kit_id>/edit/", brand_kits.brand_kit_edit, name="brand_kit_edit"),
    path(
        "brand-kits/<id:brand_kit_id>/delete/",
        brand_kits.brand_kit_delete,
        name="brand_kit_delete",
    ),
    path("brand-kits/<id:brand_kit_id>/logo/", brand_kits.brand_kit_logo, name="brand_kit_logo"),
    path("audience/", audience.audience_list, name="audience"),
    path("audience/export.csv", audience.audience_export_csv, name="audience_export"),
    path("audience/exports/<id:job_id>/", audience.audience_export_job, name="audience_export_job"),
    path(
        "audience/exports/<id:job_id>/download",
        audience.audience_export_download,
        name="audience_export_download",
    ),
    path("audience/<id:contact_id>/delete/", audience.contact_delete, name="contact_delete"),
    path("audience/<id:contact_id>/tags/", audience.contact_tags, name="contact_tags"),
    # Manage page: Members, Teams, Domains, Integrations, Settings.
    path("manage/", manage.index, name="manage"),
    path("manage/members/", manage_members.members, name="manage_members"),
    path("manage/members/add/", manage_members.member_add, name="manage_member_add"),
    path(
        "manage/members/<id:membership_id>/",
        manage_members.member_update,
        name="manage_member_update",
    ),
    path(
        "manage/members/<id:membership_id>/remove/",
        manage_members.member_remove,
        name="manage_member_remove",
    ),
    path("manage/teams/", manage_teams.teams, name="manage_teams"),
    path("manage/teams/add/", manage_teams.team_add, name="manage_team_add"),
    path("manage/teams/<id:access_id>/", manage_teams.team_update, name="manage_team_update"),
    path(
        "manage/teams/<id:access_id>/remove/",
        manage_teams.team_remove,
        name="manage_team_remove",
    ),
    path("manage/domains/", manage_domains.domains, name="manage_domains"),
    path("manage/domains/use/", manage_domains.domain_use, name="manage_domain_use"),
    path("manage/domains/add/", manage_domains.domain_add, name="manage_domain_add"),
    path(
        "manage/domains/<id:domain_id>/verify/",
        manage_domains.domain_verify,
        name="manage_domain_verify",
    ),
    path(
        "manage/domains/<id:domain_id>/remove/",
        manage_domains.domain_remove,
        name="manage_domain_remove",
    ),
    path("manage/integrations/", manage_integrations.integrations, name="manage_integrations"),
    path(
        "manage/integrations/install/<slug:app_key>/",
        manage_integrations.integration_install,
        name="manage_integration_install",
    ),
    path(
        "manage/integrations/<id:installation_id>/",
        manage_integrations.integration_configure,
        name="manage_integration_configure",
    ),
    path(
        "manage/integrations/<id:installation_id>/enabled/",
        manage_integrations.integration_enabled,
        name="manage_integration_enabled",
    ),
    path(
        "manage/integrations/<id:installation_id>/uninstall/",
        manage_integrations.integration_uninstall,
        name="manage_integration_uninstall",
    ),
    path("manage/settings/", manage_settings.settings, name="manage_settings"),
    # Flows and analytics
    path("", flows.workspace_home, name="home"),
    path("flows/", flows.flow_list, name="flow_list"),
    path("flows/new/", flows.flow_create, name="flow_create"),
    path("flows/<id:flow_id>/", flows.flow_detail, name="flow_detail"),
    path("flows/<id:flow_id>/edit/", flows.flow_edit, name="flow_edit"),
    path("flows/<id:flow_id>/delete/", flows.flow_delete, name="flow_delete"),
    path("flows/<id:flow_id>/qr.svg", flows.flow_qr_svg, name="flow_qr_svg"),
    path("flows/<id:flow_id>/qr.png", flows.flow_qr_png, name="flow_qr_png"),
    path("analytics/", analytics.analytics, name="analytics"),
]
