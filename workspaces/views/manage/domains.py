"""Manage → Domains: the workspace's whitelabel domain used by its flow short links — one of the
org's verified domains, or a hostname of its own, verified through a DNS TXT record."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flowadmin.hosts import dns_record_for, short_link_host
from flowadmin.htmx import redirect_after_post
from orgs import impact, previews
from orgs import services as org_services
from orgs.errors import ServiceError
from orgs.forms import DomainAddForm
from orgs.models import Domain
from workspaces import services
from workspaces.decorators import workspace_view
from workspaces.forms.manage import WhitelabelForm
from workspaces.selectors import manage as selectors

from . import manage_url, render_confirm, render_manage


def _use_form(request, data=None):
    return WhitelabelForm(
        data,
        domains=selectors.usable_domains(request.workspace),
        default_host=short_link_host(),
        current=request.workspace.whitelabel_domain,
    )


def _domains_page(request, *, add_form=None, use_form=None, verify_errors=None, refused=False):
    ws = request.workspace
    sample = ws.flows.order_by("-created_at", "-id").first()
    if sample is not None:
        sample.workspace = ws
    context = {
        "current": ws.whitelabel_domain,
        "sample": sample,
        "default_host": short_link_host(),
        "dns_record": dns_record_for(short_link_host()),
        "own_domains": list(selectors.own_domains(ws)),
        "use_form": use_form or _use_form(request),
        "add_form": add_form or DomainAddForm(),
        "verify_errors": verify_errors or {},
    }
    return render_manage(
        request, "workspaces/manage/domains.html", context, tab="domains", refused=refused
    )


@require_GET
@workspace_view("ws.manage")
def domains(request):
    return _domains_page(request)


@require_POST
@workspace_view("ws.manage")
def domain_use(request):
    form = _use_form(request, request.POST)
    if form.is_valid():
        domain = form.cleaned_data["domain"]
        try:
            services.workspace_whitelabel_set(
                actor=request.user, workspace=request.workspace, domain=domain
            )
        except ServiceError as error:
            form.add_error("domain", error)
        else:
            if domain:
                messages.success(request, f"Flow short links now use {domain.hostname}.")
            else:
                messages.success(request, "Flow short links now use the default host.")
            return redirect_after_post(request, manage_url(request, "domains"))
    return _domains_page(request, use_form=form, refused=True)


@require_POST
@workspace_view("ws.manage")
def domain_add(request):
    form = DomainAddForm(request.POST)
    if form.is_valid():
        try:
            domain = org_services.domain_add(
                actor=request.user,
                org=request.org,
                hostname=form.cleaned_data["hostname"],
                workspace=request.workspace,
            )
        except ServiceError as error:
            form.add_error("hostname", error)
        else:
            messages.success(
                request,
                f"Added {domain.hostname}. Publish its TXT record, then verify it.",
            )
            return redirect_after_post(request, manage_url(request, "domains"))
    return _domains_page(request, add_form=form, refused=True)


@require_POST
@workspace_view("ws.manage")
def domain_verify(request, domain_id):
    domain = get_object_or_404(Domain, pk=domain_id, workspace=request.workspace)
    try:
        org_services.domain_verify(actor=request.user, domain=domain)
    except ServiceError as error:
        return _domains_page(request, verify_errors={domain.pk: error.text}, refused=True)
    messages.success(request, f"{domain.hostname} is verified: you can use it now.")
    return redirect_after_post(request, manage_url(request, "domains"))


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage")
def domain_remove(request, domain_id):
    domain = get_object_or_404(Domain, pk=domain_id, workspace=request.workspace)
    in_use = request.workspace.whitelabel_domain_id == domain.pk
    if request.method == "POST":
        org_services.domain_remove(actor=request.user, domain=domain)
        messages.success(request, f"Removed {domain.hostname}.")
        return redirect_after_post(request, manage_url(request, "domains"))
    message = f"{domain.hostname} will no longer be available to this workspace."
    if in_use:
        message += (
            f" Flow short links use it now: they go back to the default host "
            f"({short_link_host()}). QR codes already printed keep pointing at "
            f"{domain.hostname}."
        )
    return render_confirm(
        request,
        tab="domains",
        preview=previews.impact_preview(request.org, impact.RemoveDomain(domain.hostname)),
        title=f"Remove {domain.hostname}?",
        message=message,
        action=manage_url(request, "domain_remove", domain.pk),
        button="Remove domain",
    )
