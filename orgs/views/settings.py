"""The console's Settings: org description and avatar; tabs Integrations (org-wide apps),
SSO (read-only) and Domains."""

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import selectors as audit_selectors
from audit import services as audit_services
from audit.forms import ActivityStreamForm
from flowadmin.htmx import form_partial, paginate, render_page, wants_partial

from .. import impact, integrations, previews, selectors, services
from .. import sso as sso_reads
from ..decorators import org_view
from ..errors import ServiceError
from ..forms import DomainAddForm, IntegrationSettingsForm, OrgSettingsForm
from ..models import Domain


def _url(request, name, **kwargs):
    return reverse(f"orgs:{name}", kwargs={"org_slug": request.org.slug, **kwargs})


@require_http_methods(["GET", "POST"])
@org_view("org.manage_settings")
def org_settings(request):
    org = request.org
    form = OrgSettingsForm(request.POST or None, request.FILES or None, org=org)
    saved = False
    if request.method == "POST" and form.is_valid():
        services.org_update(
            actor=request.user,
            org=org,
            description=form.cleaned_data["description"],
            **form.avatar_changes(),
        )
        services.org_set_require_two_factor(
            actor=request.user, org=org, required=form.cleaned_data["require_two_factor"]
        )
        if not wants_partial(request):
            messages.success(request, "Settings saved.")
            return redirect(_url(request, "settings"))
        saved = True
        form = OrgSettingsForm(org=org)
    context = {"form": form, "saved": saved, "tab": "general"}
    return render_page(
        request,
        "orgs/settings.html",
        context,
        partial=form_partial(request, "settings"),
        refused=form.errors,
    )


# --- integrations --------------------------------------------------------------------------


def _app_or_404(key):
    app = integrations.get_app(key)
    if app is None:
        raise Http404("There is no such app in the catalog.")
    return app


def _catalog(installed):
    """[(category, [(app, installation or None)])] in catalog order."""
    groups: dict[str, list] = {}
    for app in integrations.CATALOG.values():
        groups.setdefault(app.category, []).append((app, installed.get(app.key)))
    return list(groups.items())


@require_GET
@org_view("org.manage_settings")
def integration_list(request):
    context = {
        "catalog": _catalog(selectors.org_installations(request.org)),
        "stream": audit_selectors.activity_stream(request.org),
        "tab": "integrations",
    }
    return render_page(request, "orgs/settings_integrations.html", context)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@org_view("org.manage_settings")
def integration_detail(request, app_key):
    """Install an app org-wide, or edit its settings when installed."""
    app = _app_or_404(app_key)
    installation = selectors.org_installation(request.org, app_key)
    form = IntegrationSettingsForm(app, request.POST or None, installation=installation)
    if request.method == "POST" and form.is_valid():
        try:
            if installation is None:
                services.integration_install(
                    actor=request.user, org=request.org, app_key=app.key, values=form.cleaned_data
                )
                done = "installed for the whole organization"
            else:
                services.integration_update(
                    actor=request.user, installation=installation, values=form.cleaned_data
                )
                done = "settings saved"
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{app.name}: {done}.")
            return redirect(_url(request, "integrations"))
    context = {"app": app, "installation": installation, "form": form, "tab": "integrations"}
    return render_page(request, "orgs/settings_integration.html", context, refused=form.errors)


@require_POST
@org_view("org.manage_settings")
def integration_enabled(request, app_key):
    app = _app_or_404(app_key)
    installation = selectors.org_installation(request.org, app_key)
    if installation is None:
        raise Http404(f"{app.name} is not installed.")
    if request.POST.get("enabled") not in ("on", "off"):
        return HttpResponseBadRequest("Send enabled=on or enabled=off.")
    enabled = request.POST["enabled"] == "on"
    services.integration_set_enabled(actor=request.user, installation=installation, enabled=enabled)
    if wants_partial(request):
        context = {"app": app, "installation": installation, "toggled": True}
        return render_page(request, "orgs/settings_integrations.html", context, partial="app_card")
    messages.success(request, f"{app.name} {'enabled' if enabled else 'disabled'}.")
    return redirect(_url(request, "integrations"))


@require_http_methods(["GET", "POST"])
@org_view("org.manage_settings")
def integration_uninstall(request, app_key):
    app = _app_or_404(app_key)
    installation = selectors.org_installation(request.org, app_key)
    if installation is None:
        raise Http404(f"{app.name} is not installed.")
    if request.method == "POST":
        services.integration_uninstall(actor=request.user, installation=installation)
        messages.success(request, f"{app.name} uninstalled; its stored credentials are deleted.")
        return redirect(_url(request, "integrations"))
    context = {
        "head": "orgs/_settings_head.html",
        "tab": "integrations",
        "title": f"Uninstall {app.name} from {request.org.name}?",
        "message": "Its settings and stored credentials are deleted, and the workspaces stop "
        "using the org-wide installation. Installations a workspace made for itself stay.",
        "button": f"Uninstall {app.name}",
        "cancel": _url(request, "integrations"),
    }
    return render(request, "orgs/confirm.html", context)


# --- activity stream (audit.streaming) -----------------------------------------------------


@sensitive_post_parameters("secret")
@require_http_methods(["GET", "POST"])
@org_view("org.manage_settings")
def activity_stream(request):
    """Set up or change the org's activity stream (webhook or the checkpoint sinks)."""
    stream = audit_selectors.activity_stream(request.org)
    form = ActivityStreamForm(request.POST or None, stream=stream)
    if request.method == "POST" and form.is_valid():
        try:
            audit_services.activity_stream_save(
                actor=request.user, org=request.org, **form.cleaned_data
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Activity stream saved.")
            return redirect(_url(request, "integrations"))
    context = {"form": form, "stream": stream, "tab": "integrations"}
    return render_page(request, "orgs/settings_activity_stream.html", context, refused=form.errors)


@require_http_methods(["GET", "POST"])
@org_view("org.manage_settings")
def activity_stream_remove(request):
    stream = audit_selectors.activity_stream(request.org)
    if stream is None:
        raise Http404("This organization has no activity stream.")
    if request.method == "POST":
        audit_services.activity_stream_remove(actor=request.user, stream=stream)
        messages.success(request, "Activity stream removed.")
        return redirect(_url(request, "integrations"))
    context = {
        "head": "orgs/_settings_head.html",
        "tab": "integrations",
        "title": f"Remove the activity stream of {request.org.name}?",
        "message": "New activity entries are no longer delivered, and the stream's settings "
        "and secrets are deleted. What was delivered stays delivered.",
        "button": "Remove the activity stream",
        "cancel": _url(request, "activity_stream"),
    }
    return render(request, "orgs/confirm.html", context)


# --- SSO -----------------------------------------------------------------------------------


@require_GET
@org_view("org.manage_settings")
def sso(request):
    config = selectors.sso_configuration(request.org)
    context = {"sso": config, "tab": "sso"}
    if config is not None:
        context["state"] = sso_reads.state(config)
        context["sso_url"] = context["state"].login_path
        context["next"] = request.path
    response = render_page(request, "orgs/settings_sso.html", context)
    return sso_reads.allow_idp_form_action(response, config)


# --- domains -------------------------------------------------------------------------------


def _domain(request, domain_id):
    return get_object_or_404(
        Domain.objects.select_related("workspace"), pk=domain_id, org=request.org
    )


@require_http_methods(["GET", "POST"])
@org_view("org.manage_settings")
def domain_list(request):
    org = request.org
    form = DomainAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain = services.domain_add(
                actor=request.user, org=org, hostname=form.cleaned_data["hostname"]
            )
        except ServiceError as error:
            form.add_error("hostname", error)
        else:
            messages.success(
                request,
                f"{domain.hostname} added. Publish its TXT record, then verify it.",
            )
            return redirect(_url(request, "domains") + f"#domain-{domain.pk}")
    page = paginate(request, selectors.org_domains(org))
    context = {"form": form, "page": page, "tab": "domains"}
    return render_page(request, "orgs/settings_domains.html", context, refused=form.errors)


@require_POST
@org_view("org.manage_settings")
def domain_verify(request, domain_id):
    domain = _domain(request, domain_id)
    error = None
    try:
        services.domain_verify(actor=request.user, domain=domain)
    except ServiceError as refused:
        error = refused.text
    if wants_partial(request):
        context = {"domain": domain, "verify_error": error, "just_verified": error is None}
        return render_page(request, "orgs/settings_domains.html", context, partial="domain_row")
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{domain.hostname} is verified.")
    return redirect(_url(request, "domains") + f"#domain-{domain.pk}")


@require_http_methods(["GET", "POST"])
@org_view("org.manage_settings")
def domain_remove(request, domain_id):
    domain = _domain(request, domain_id)
    if request.method == "POST":
        services.domain_remove(actor=request.user, domain=domain)
        messages.success(request, f"{domain.hostname} removed.")
        return redirect(_url(request, "domains"))
    consequences = [
        f"{ws.name} uses it as its whitelabel domain: its flows' short links and QR codes go "
        "back to the default host."
        for ws in selectors.workspaces_using(domain)
    ]
    if domain.sso_configurations.exists():
        consequences.append("Single sign-on covers it: SSO will no longer apply to this domain.")
    consequences.append("To use it again you will have to add it and verify it anew.")
    context = {
        "head": "orgs/_settings_head.html",
        "tab": "domains",
        "title": f"Remove the domain {domain.hostname}?",
        "consequences": consequences,
        "preview": previews.impact_preview(request.org, impact.RemoveDomain(domain.hostname)),
        "button": f"Remove {domain.hostname}",
        "cancel": _url(request, "domains"),
    }
    return render(request, "orgs/confirm.html", context)
