from django.urls import path

from .views import assets, audience, brand_kits, templates

app_name = "workspaces"

# Workspace pages mount here under /orgs/<org_slug>/w/<ws_slug>/.
urlpatterns = [
    # Flow templates, assets, brand kits, audience (issue 6, second half)
    path("templates/", templates.template_list, name="template_list"),
    path("templates/new/", templates.template_new, name="template_new"),
    path("templates/<int:template_id>/", templates.template_detail, name="template_detail"),
    path("templates/<int:template_id>/edit/", templates.template_edit, name="template_edit"),
    path("templates/<int:template_id>/delete/", templates.template_delete, name="template_delete"),
    path("assets/", assets.asset_list, name="asset_list"),
    path("assets/new/", assets.asset_new, name="asset_new"),
    path("assets/<int:asset_id>/", assets.asset_detail, name="asset_detail"),
    path("assets/<int:asset_id>/download/", assets.asset_download, name="asset_download"),
    path("assets/<int:asset_id>/delete/", assets.asset_delete, name="asset_delete"),
    path("brand-kits/", brand_kits.brand_kit_list, name="brand_kit_list"),
    path("brand-kits/new/", brand_kits.brand_kit_new, name="brand_kit_new"),
    path("brand-kits/<int:brand_kit_id>/", brand_kits.brand_kit_detail, name="brand_kit_detail"),
    path("brand-kits/<int:brand_kit_id>/edit/", brand_kits.brand_kit_edit, name="brand_kit_edit"),
    path(
        "brand-kits/<int:brand_kit_id>/delete/",
        brand_kits.brand_kit_delete,
        name="brand_kit_delete",
    ),
    path("brand-kits/<int:brand_kit_id>/logo/", brand_kits.brand_kit_logo, name="brand_kit_logo"),
    path("audience/", audience.audience_list, name="audience"),
    path("audience/export.csv", audience.audience_export_csv, name="audience_export"),
    path("audience/<int:contact_id>/delete/", audience.contact_delete, name="contact_delete"),
    path("audience/<int:contact_id>/tags/", audience.contact_tags, name="contact_tags"),
]
