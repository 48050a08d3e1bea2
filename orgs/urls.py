from django.urls import path  # noqa: F401

app_name = "orgs"

# The Org Admin console (Dashboard, Workspaces, Teams, Users, Settings) mounts here under
# /orgs/<org_slug>/.
urlpatterns = []
