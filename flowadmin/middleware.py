from audit.context import acting_as, actor_for_user


class ActorContextMiddleware:
    """Makes the request's user and IP the actor of every change made while it runs, so the
    activity log records them whichever code path (console view, admin site) saves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR")
        # The user is resolved lazily; the actor is re-read when a change is recorded.
        with acting_as(LazyRequestActor(request, ip)):
            return self.get_response(request)


class LazyRequestActor:
    """An Actor whose user is read from the request only when a change is recorded (so
    anonymous page views never touch the session)."""

    def __init__(self, request, ip):
        self._request = request
        self.ip = ip

    @property
    def _actor(self):
        return actor_for_user(getattr(self._request, "user", None), self.ip)

    @property
    def user(self):
        return self._actor.user

    @property
    def email(self):
        return self._actor.email
