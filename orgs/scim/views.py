"""SCIM 2.0 endpoints of one org, under /scim/v2/<org_slug>/ (RFC 7644 §3). Each view gets the
authenticated ScimToken from `protocol.scim_endpoint`; refusals are raised as scim2-models
exceptions (or ServiceError from orgs.services) and answered as SCIM errors there."""

from functools import partial

from django.http import HttpResponse
from django.urls import reverse
from scim2_models import (
    Context,
    Group,
    GroupMember,
    ListResponse,
    Meta,
    NotFoundException,
    NotImplementedException,
    PatchOp,
    PreconditionFailedException,
    ResponseParameters,
    SCIMException,
    SearchRequest,
)

from . import provisioning, resources
from .protocol import error_response, json_response, read_json, scim_endpoint
from .schema import (
    POLICY,
    RESOURCE_TYPES,
    SCHEMAS,
    GroupRequest,
    GroupResource,
    UserModel,
    UserRequest,
    service_provider_config,
)

QUERY = Context.RESOURCE_QUERY_RESPONSE


class MethodNotAllowed(SCIMException):
    status = 405
    _default_detail = "This method is not allowed here."


def _methods(request, *allowed):
    if request.method not in allowed:
        raise MethodNotAllowed(detail=f"Use {', '.join(allowed)} here.")


def _base_url(request, token) -> str:
    return request.build_absolute_uri(reverse("scim:base", args=[token.org.slug]))


def _response_parameters(params, model):
    """`attributes` / `excludedAttributes` (RFC 7644 §3.9) of a query string or search body."""
    return ResponseParameters[model].model_validate(
        {key: params[key] for key in ("attributes", "excludedAttributes") if params.get(key)}
    )


def _query(request) -> dict:
    """The query of a list: the query string of a GET, or the body of a POST to /.search
    (RFC 7644 §3.4.3, validated as a SearchRequest), as {filter, startIndex, count,
    attributes, excludedAttributes} strings."""
    if request.method == "GET":
        return request.GET
    body = read_json(request)
    SearchRequest.model_validate(body, scim_ctx=Context.SEARCH_REQUEST)
    query = {key: body[key] for key in ("filter", "startIndex", "count") if key in body}
    for key in ("attributes", "excludedAttributes"):
        if body.get(key):
            value = body[key]
            query[key] = ",".join(value) if isinstance(value, list) else str(value)
    return query


def _list(request, token, model):
    query = _query(request)
    base = _base_url(request, token)
    parameters = _response_parameters(query, model)
    if model is UserModel:
        return json_response(resources.list_users(token.org, query, base, parameters))
    excluded = {part.strip().lower() for part in query.get("excludedAttributes", "").split(",")}
    return json_response(
        resources.list_groups(
            token.org, query, base, parameters, with_members="members" not in excluded
        )
    )


def _resource_response(request, resource, model, status=200):
    """A resource with its ETag (and Location when created); 304 for a matching
    If-None-Match on GET."""
    version = resource.meta.version
    if request.method == "GET" and request.headers.get("If-None-Match") == version:
        return HttpResponse(status=304, headers={"ETag": version})
    body = resource.model_dump(
        scim_ctx=QUERY, response_parameters=_response_parameters(request.GET, model)
    )
    headers = {"ETag": version}
    if status == 201:
        headers["Location"] = resource.meta.location
    return json_response(body, status, headers=headers)


def _check_version(request, resource) -> None:
    """RFC 7644 §3.14: refuse a write whose If-Match names another version."""
    wanted = request.headers.get("If-Match")
    if (
        wanted
        and wanted != "*"
        and resource.meta.version not in {tag.strip() for tag in wanted.split(",")}
    ):
        raise PreconditionFailedException(detail="The resource changed since that version.")


def _payload(request, model, context):
    """The request body validated as `model` in the SCIM `context` (creation, replacement),
    under the tolerances of schema.POLICY."""
    return model.model_validate(read_json(request), scim_ctx=context, scim_policy=POLICY)


def _patch_body(request, item_id) -> dict:
    """The PATCH body, less the resource's own `id` in a path-less value: Okta renames a group
    with `{"op": "replace", "value": {"id": <its id>, "displayName": …}}`, and `id` is
    read-only. Another id stays and is refused."""
    body = read_json(request)
    for operation in body.get("Operations") or []:
        value = operation.get("value") if isinstance(operation, dict) else None
        if not operation.get("path") and isinstance(value, dict) and value.get("id") == item_id:
            operation["value"] = {k: v for k, v in value.items() if k != "id"}
    return body


# --- discovery (RFC 7644 §4) ---------------------------------------------------------------


@scim_endpoint
def service_provider_config_view(request, token):
    _methods(request, "GET")
    return json_response(service_provider_config().model_dump(scim_ctx=QUERY))


def _discovery_list(request, token, items, kind, item_id):
    """GET /Schemas or /ResourceTypes (a ListResponse), or one of them by id."""
    base = _base_url(request, token)
    located = [
        item.model_copy(
            update={"meta": Meta(resource_type=kind, location=f"{base}{kind}s/{item.id}")}
        )
        for item in items
    ]
    if item_id is not None:
        for item in located:
            if str(item.id) == item_id:
                return json_response(item.model_dump(scim_ctx=QUERY))
        raise NotFoundException(detail=f"No {kind} {item_id!r}.")
    listed = ListResponse[type(items[0])](
        total_results=len(located),
        start_index=1,
        items_per_page=len(located),
        resources=located,
    )
    return json_response(listed.model_dump(scim_ctx=QUERY))


@scim_endpoint
def resource_types_view(request, token, item_id=None):
    _methods(request, "GET")
    return _discovery_list(request, token, RESOURCE_TYPES, "ResourceType", item_id)


@scim_endpoint
def schemas_view(request, token, item_id=None):
    _methods(request, "GET")
    return _discovery_list(request, token, SCHEMAS, "Schema", item_id)


# --- Users --------------------------------------------------------------------------------


def _collection(request, token, model, request_model, create, publish):
    """/Users or /Groups: GET lists them (`model`), POST creates one from a `request_model`
    body with `create(token=, resource=)` and answers 201 with `publish(created, base url)`."""
    _methods(request, "GET", "POST")
    if request.method == "GET":
        return _list(request, token, model)
    resource = _payload(request, request_model, Context.RESOURCE_CREATION_REQUEST)
    created = create(token=token, resource=resource)
    return _resource_response(request, publish(created, _base_url(request, token)), model, 201)


def _read_or_delete(request, published, model, delete):
    """What a resource's own URL does alike for Users and Groups: GET answers `published`
    (304 when unchanged); a write must match If-Match; DELETE calls `delete()` and answers 204.
    None for a PUT or PATCH, which the caller applies."""
    if request.method == "GET":
        return _resource_response(request, published, model)
    _check_version(request, published)
    if request.method == "DELETE":
        delete()
        return HttpResponse(status=204)
    return None


@scim_endpoint
def users_view(request, token):
    return _collection(
        request, token, UserModel, UserRequest, provisioning.user_create, resources.user_resource
    )


@scim_endpoint
def user_view(request, token, item_id):
    _methods(request, "GET", "PUT", "PATCH", "DELETE")
    base = _base_url(request, token)
    current = resources.person(token.org, item_id)
    published = resources.user_resource(current, base)
    delete = partial(provisioning.user_delete, token=token, current=current)
    if (answer := _read_or_delete(request, published, UserModel, delete)) is not None:
        return answer
    if request.method == "PUT":
        wanted = _payload(request, UserRequest, Context.RESOURCE_REPLACEMENT_REQUEST)
    else:
        patch = PatchOp[UserRequest].model_validate(
            _patch_body(request, item_id),
            scim_ctx=Context.RESOURCE_PATCH_REQUEST,
            scim_policy=POLICY,
        )
        wanted = resources.user_request_model(current)
        patch.patch(wanted, scim_policy=POLICY)
    updated = provisioning.user_update(token=token, current=current, resource=wanted)
    return _resource_response(request, resources.user_resource(updated, base), UserModel)


# --- Groups -------------------------------------------------------------------------------


def _group(team, base):
    return resources.group_resource(team, resources.members_of([team])[team.pk], base)


@scim_endpoint
def groups_view(request, token):
    return _collection(
        request, token, GroupResource, GroupRequest, provisioning.group_create, _group
    )


@scim_endpoint
def group_view(request, token, item_id):
    _methods(request, "GET", "PUT", "PATCH", "DELETE")
    base = _base_url(request, token)
    team = resources.team_of(token.org, item_id)
    published = _group(team, base)
    delete = partial(provisioning.group_delete, token=token, team=team)
    if (answer := _read_or_delete(request, published, GroupResource, delete)) is not None:
        return answer
    body = read_json(request) if request.method == "PUT" else _patch_body(request, item_id)
    if request.method == "PUT":
        wanted = GroupRequest.model_validate(
            body, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=POLICY
        )
        members_given = "members" in {key.lower() for key in body}
    else:
        patch = PatchOp[Group].model_validate(
            body, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
        )
        # Members by value only: Entra ID removes `{"value": id, "$ref": null}` entries.
        wanted = GroupRequest(
            display_name=published.display_name,
            external_id=published.external_id,
            members=[GroupMember(value=m.value) for m in published.members or []] or None,
        )
        patch.patch(wanted, scim_policy=POLICY)
        members_given = True
    team = provisioning.group_update(
        token=token, team=team, resource=wanted, members_given=members_given
    )
    return _resource_response(request, _group(team, base), GroupResource)


@scim_endpoint
def users_search_view(request, token):
    _methods(request, "POST")
    return _list(request, token, UserModel)


@scim_endpoint
def groups_search_view(request, token):
    _methods(request, "POST")
    return _list(request, token, GroupResource)


@scim_endpoint
def root_search_view(request, token):
    """POST /.search across resource types is not offered: 501 (RFC 7644 §3.4.3)."""
    raise NotImplementedException(
        detail="Search one resource type at a time: POST /Users/.search or /Groups/.search."
    )


@scim_endpoint
def not_found_view(request, token, rest=""):
    return error_response(404, f"No SCIM endpoint /{rest}.")
