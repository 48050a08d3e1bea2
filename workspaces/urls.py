from django.urls import path

from .views import analytics, flows

app_name = "workspaces"

# Workspace pages mount here under /orgs/<org_slug>/w/<ws_slug>/.
urlpatterns = [
    # issue 6: flows and analytics
    path("", flows.workspace_home, name="home"),
    path("flows/", flows.flow_list, name="flow_list"),
    path("flows/new/", flows.flow_create, name="flow_create"),
    path("flows/<int:flow_id>/", flows.flow_detail, name="flow_detail"),
    path("flows/<int:flow_id>/edit/", flows.flow_edit, name="flow_edit"),
    path("flows/<int:flow_id>/delete/", flows.flow_delete, name="flow_delete"),
    path("flows/<int:flow_id>/qr.svg", flows.flow_qr_svg, name="flow_qr_svg"),
    path("flows/<int:flow_id>/qr.png", flows.flow_qr_png, name="flow_qr_png"),
    path("analytics/", analytics.analytics, name="analytics"),
]
