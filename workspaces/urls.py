from django.urls import path  # noqa: F401

app_name = "workspaces"

# Workspace pages mount here under /orgs/<org_slug>/w/<ws_slug>/.
urlpatterns = []
