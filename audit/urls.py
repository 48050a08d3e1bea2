from django.urls import path

from . import views

app_name = "audit"

# Mounted at /orgs/<org_slug>/activity/ (SPEC §4).
urlpatterns = [
    path("", views.activity, name="activity"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("integrity/", views.integrity, name="integrity"),
]
