"""Settings → SCIM: the org's SCIM endpoint, and its bearer tokens (create, shown once;
revoke; last used). Writes go through orgs.scim.tokens."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from flowadmin.htmx import render_page

from .. import selectors
from ..decorators import org_view
from ..errors import ServiceError
from ..models import ScimToken
from ..scim import tokens
from ..scim.forms import ScimTokenForm


def _scim_url(request):
    return reverse("orgs:scim", kwargs={"org_slug": request.org.slug})


@sensitive_variables("text")
@never_cache
@require_http_methods(["GET", "POST"])
@org_view("org.manage_settings")
def scim_tokens(request):
    """The SCIM tab. A created token is shown in this response only (never stored in clear,
    never put in the session), with `Cache-Control: no-store`."""
    org = request.org
    form = ScimTokenForm(request.POST or None)
    created = text = None
    if request.method == "POST" and form.is_valid():
        try:
            created, text = tokens.token_create(
                actor=request.user, org=org, name=form.cleaned_data["name"]
            )
        except ServiceError as error:
            form.add_error("name", error)
        else:
            form = ScimTokenForm()
    context = {
        "tab": "scim",
        "form": form,
        "created": created,
        "token_text": text,
        "endpoint": request.build_absolute_uri(reverse("scim:base", args=[org.slug])),
        "tokens": selectors.scim_tokens(org),
    }
    return render_page(request, "orgs/settings_scim.html", context, refused=form.errors)


@require_http_methods(["GET", "POST"])
@org_view("org.manage_settings")
def scim_token_revoke(request, token_id):
    token = get_object_or_404(ScimToken, org=request.org, pk=token_id, revoked_at__isnull=True)
    if request.method == "POST":
        tokens.token_revoke(actor=request.user, token=token)
        messages.success(request, f"SCIM token {token.name} revoked: it no longer works.")
        return redirect(_scim_url(request))
    context = {
        "head": "orgs/_settings_head.html",
        "tab": "scim",
        "title": f"Revoke the SCIM token {token.name}?",
        "consequences": [
            "Your identity provider's next request with it is refused (401): provisioning stops "
            "until you give it a new token.",
            "Members and teams it provisioned stay as they are.",
        ],
        "button": f"Revoke {token.name}",
        "cancel": _scim_url(request),
    }
    return render(request, "orgs/confirm.html", context)
