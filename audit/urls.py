from django.urls import path

import flowadmin.params  # noqa: F401  (registers the <id:…> path converter)

from . import views

app_name = "audit"

# Mounted at /orgs/<org_slug>/activity/ (SPEC §4).
urlpatterns = [
    path("", views.activity, name="activity"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("exports/<id:job_id>/", views.export_job, name="export_job"),
    path("exports/<id:job_id>/download", views.export_download, name="export_download"),
    path("integrity/", views.integrity, name="integrity"),
]
