from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


class ServiceError(ValidationError):
    """A write refused by a business rule; views show it as a form or page error, commands as
    their one-line error, the admin site as a validation error."""

    @property
    def text(self) -> str:
        return " ".join(self.messages)


class LastAdminError(ServiceError):
    def __init__(self, org, lasting: bool = False):
        if lasting:  # orgs.expiry: the others' admin role ends
            message = (
                f"{org.name} must keep at least one Org Admin whose access does not end: make "
                "someone else an admin without an end date first."
            )
        else:
            message = (
                f"{org.name} must keep at least one Org Admin: make someone else an admin first."
            )
        super().__init__(message, code="last_admin")


class ExpiredGrantError(ServiceError):
    """A change to a grant whose end has passed (orgs.expiry): the policy already ignores it
    and the expiry job removes it; only a new end date (or none) renews it."""

    def __init__(self, what: str, until):
        from .expiry import last_day

        super().__init__(
            f"{what} ended on {last_day(until):%Y-%m-%d}: choose a later end date (or none) to "
            "give it again.",
            code="expired",
        )


class NotOrgMemberError(ServiceError):
    def __init__(self, user, org):
        super().__init__(f"{user.email} is not a member of {org.name}.", code="not_org_member")


class CrossOrgError(ServiceError):
    """A row that would join two organizations (SPEC §2: a workspace member, a team member and a
    team's access all live inside one org), or move a workspace or team to another org."""

    def __init__(self, message):
        super().__init__(message, code="cross_org")


class GoneError(ServiceError):
    """The row was deleted by someone else a moment ago (views answer 404)."""

    def __init__(self, what: str):
        super().__init__(f"{what} was already deleted.", code="gone")


class StaleError(ServiceError):
    """The row changed since the form was opened (optimistic concurrency: its version moved)."""

    def __init__(self, what: str, current):
        super().__init__(
            f"This {what} changed since you opened it (someone else saved it). Its current "
            "values are on its page; check yours below and save again to replace them.",
            code="stale",
        )
        self.current = current


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether an IntegrityError came from a unique constraint or index (PostgreSQL SQLSTATE
    23505; SQLite "UNIQUE constraint failed")."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(error)


@contextmanager
def unique_or_error(message: str, *, code: str = "duplicate"):
    """Run the block in a savepoint; an IntegrityError from a unique constraint — the judge of
    two identical submits that both passed the friendly `exists()` check — becomes
    ServiceError(message, code), which views show as the field error. Other integrity errors
    propagate."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise ServiceError(message, code=code) from None
