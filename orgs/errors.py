from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A write refused by a business rule; views show it as a form or page error, commands as
    their one-line error, the admin site as a validation error."""

    @property
    def text(self) -> str:
        return " ".join(self.messages)


class LastAdminError(ServiceError):
    def __init__(self, org):
        super().__init__(
            f"{org.name} must keep at least one Org Admin: make someone else an admin first.",
            code="last_admin",
        )


class NotOrgMemberError(ServiceError):
    def __init__(self, user, org):
        super().__init__(f"{user.email} is not a member of {org.name}.", code="not_org_member")


class CrossOrgError(ServiceError):
    """A row that would join two organizations (SPEC §2: a workspace member, a team member and a
    team's access all live inside one org), or move a workspace or team to another org."""

    def __init__(self, message):
        super().__init__(message, code="cross_org")
