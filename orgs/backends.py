from django.contrib.auth.backends import BaseBackend

from . import permissions


class PolicyBackend(BaseBackend):
    """Answers `user.has_perm("<capability>", org_or_workspace)` from orgs.permissions.
    It authenticates nobody; ModelBackend does that."""

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or not permissions.is_capability(perm):
            return False
        return permissions.has_capability(user_obj, perm, obj)
