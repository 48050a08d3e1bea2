"""The SCIM resources flowadmin serves, built on scim2-models.

Two shapes of each resource:
- the *request* models (`UserRequest`, `GroupRequest`) are the full RFC 7643 User (with the
  enterprise extension) and Group: identity providers send many standard attributes flowadmin
  does not store (Okta's `locale`, Entra ID's `title`, `phoneNumbers`…). They are accepted and
  ignored; an attribute in no schema is refused (`invalidSyntax`).
- the *published* models (`UserResource`, `GroupResource`) hold only what flowadmin stores. They
  are what /Schemas and /ResourceTypes announce and what responses carry.
"""

from typing import Annotated

from pydantic import Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    EnterpriseUser,
    ETag,
    Extension,
    Filter,
    Group,
    Mutability,
    Pagination,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
    User,
)

MAX_PAGE_SIZE = 200

ORG_ROLE_URN = "urn:ietf:params:scim:schemas:extension:flowadmin:2.0:User"


class OrgRoleExtension(Extension):
    """flowadmin's optional User extension: `orgRole` is the member's Org Role, "admin" or
    "user" (absent: "user" for new members, unchanged for existing ones)."""

    __schema__ = URN(ORG_ROLE_URN)

    org_role: Annotated[str | None, CaseExact.false, Required.true] = Field(
        None, examples=["user", "admin"]
    )
    """The member's Org Role in flowadmin: "admin" or "user"."""


class PersonName(ComplexAttribute):
    """The parts of a name flowadmin keeps (RFC 7643 §4.1.1 `name`, less middle name,
    honorifics and `formatted`, which requests may still carry)."""

    family_name: str | None = None
    given_name: str | None = None


class TeamMember(ComplexAttribute):
    """A Group member: a User of the org (no nested groups)."""

    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    """The member's SCIM User id."""

    ref: Annotated[Reference["User"] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The member's SCIM User location."""


class UserResource(Resource):
    """A member of the org as SCIM publishes it."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:User")

    user_name: Annotated[str | None, Required.true, Uniqueness.server] = None
    """The member's email address (case-insensitive)."""

    name: PersonName | None = None
    """The member's given and family names."""

    display_name: str | None = None
    """The name shown in the console."""

    active: bool | None = None
    """False when the person is not (or no longer) a member of the org."""


class GroupResource(Resource):
    """A team as SCIM publishes it."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:Group")

    display_name: Annotated[str | None, Required.true] = None
    """The team's name, unique in the org."""

    members: list[TeamMember] | None = None
    """The team's members (their SCIM User ids)."""


UserModel = UserResource[OrgRoleExtension]
UserRequest = User[EnterpriseUser | OrgRoleExtension]
GroupRequest = Group

# Okta and Entra ID send a `remove` with a value (Entra ID) and replace paths whose filter matches
# nothing yet (Entra ID's `emails[type eq "work"].value`): tolerated as they mean it.
POLICY = ScimPolicy(
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

RESOURCE_TYPES = [
    ResourceType.from_resource(UserModel),
    ResourceType.from_resource(GroupResource),
]

SCHEMAS = [UserResource.to_schema(), OrgRoleExtension.to_schema(), GroupResource.to_schema()]


def service_provider_config() -> ServiceProviderConfig:
    """What this service supports (RFC 7643 §5)."""
    return ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_PAGE_SIZE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        pagination=Pagination(cursor=False, index=True, default_page_size=MAX_PAGE_SIZE),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A SCIM token created on the org's Settings → SCIM page.",
                primary=True,
            )
        ],
    )
