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
