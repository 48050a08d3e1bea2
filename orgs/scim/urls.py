from django.urls import path, re_path

from . import views

app_name = "scim"

# Mounted at /scim/v2/<org_slug>/ (flowadmin.urls). "scim:base" is the service's base URL, the
# one an identity provider is given (nothing answers there but the 404 of an unknown endpoint).
urlpatterns = [
    path("", views.not_found_view, name="base"),
    path("ServiceProviderConfig", views.service_provider_config_view),
    path("ResourceTypes", views.resource_types_view),
    path("ResourceTypes/<str:item_id>", views.resource_types_view),
    path("Schemas", views.schemas_view),
    path("Schemas/<str:item_id>", views.schemas_view),
    path(".search", views.root_search_view),
    path("Users", views.users_view),
    path("Users/.search", views.users_search_view),
    path("Users/<str:item_id>", views.user_view),
    path("Groups", views.groups_view),
    path("Groups/.search", views.groups_search_view),
    path("Groups/<str:item_id>", views.group_view),
    re_path(r"^(?P<rest>.*)$", views.not_found_view),
]
