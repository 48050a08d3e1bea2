"""Signing in: the email-first login page, SSO enforcement on every password path (login,
password reset, invitation acceptance) and the operators' break-glass path.

The flows themselves are django-allauth's: a correct password goes through
`allauth.account.utils.perform_login`, so its login stages (two-factor authentication) run
after it exactly as after an SSO sign-in.
"""

from __future__ import annotations

import logging

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from orgs import services
from orgs import sso as sso_reads

from . import throttling

logger = logging.getLogger(__name__)


def enforced_sso(email: str):
    """The SSO configuration that forbids password sign-in for `email`, or None."""
    config = sso_reads.covering(email)
    return config if config is not None and config.enforced else None


def sso_refusal(config) -> str:
    return (
        f"{config.org.name} requires signing in through its identity provider: "
        f"use “Continue with {config.org.name}'s SSO”."
    )


# --- the login page ------------------------------------------------------------------------


class EmailForm(forms.Form):
    # Named "username" like Django's AuthenticationForm (and django-axes' field setting).
    username = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@never_cache
@csrf_protect
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request):
    """Email first. Step 1 asks for the email; step 2 shows, for that email, "Continue with
    <org>'s SSO" when an org's SSO covers its domain, and the password field unless that SSO
    is enforced. A POST with both email and password signs in directly (same rules)."""
    next_url = _next_url(request)
    context = {"next": next_url}
    if request.method == "GET" and not request.GET.get("email"):
        context["form"] = EmailForm()
        return render(request, "registration/login.html", context)
    data = request.POST if request.method == "POST" else {"username": request.GET["email"]}
    email_form = EmailForm(data)
    if not email_form.is_valid():
        context["form"] = email_form
        return render(request, "registration/login.html", context)
    email = email_form.cleaned_data["username"]
    config = sso_reads.covering(email)
    context.update(email=email, sso=config)
    if config is not None:
        context["sso_url"] = sso_reads.login_url(config)

    def page(status=200):
        response = render(request, "registration/login.html", context, status=status)
        return sso_reads.allow_idp_form_action(response, config)

    if "password" not in data:
        if not (config and config.enforced):
            context["form"] = AuthenticationForm(request, initial={"username": email})
        return page()
    if config is not None and config.enforced:
        context["refusal"] = sso_refusal(config)
        return page(status=403)
    form = AuthenticationForm(request, data=request.POST)
    if not form.is_valid():
        context["form"] = form
        return page()
    user = form.get_user()
    # A password just entered counts as a recent reauthentication (allauth asks for one
    # before sensitive account changes such as enrolling two-factor authentication).
    record_authentication(request, user, "password", email=user.email, reauthenticated=True)
    return perform_login(request, user, redirect_url=next_url or None)


# --- password reset ------------------------------------------------------------------------


class SSOAwarePasswordResetForm(PasswordResetForm):
    """Refuses addresses whose org enforces SSO: they have no password here to reset."""

    sso = None

    def clean_email(self):
        email = self.cleaned_data["email"]
        self.sso = enforced_sso(email)
        if self.sso is not None:
            raise forms.ValidationError(sso_refusal(self.sso), code="sso_enforced")
        return email

    def save(self, *args, request=None, **kwargs):
        """Sends the email unless this address had its share lately (flowadmin.throttling);
        the page says the same either way."""
        if throttling.reset_email_allowed(request, self.cleaned_data["email"]):
            super().save(*args, request=request, **kwargs)


class SSOAwareSetPasswordForm(SetPasswordForm):
    """The reset link's new-password form: refused once the address is under enforced SSO."""

    def clean(self):
        config = enforced_sso(self.user.email)
        if config is not None:
            self.sso = config
            raise forms.ValidationError(sso_refusal(config), code="sso_enforced")
        return super().clean()


class PasswordResetView(auth_views.PasswordResetView):
    form_class = SSOAwarePasswordResetForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SSOAwareSetPasswordForm


# --- break-glass: password sign-ins to /admin/ under enforced SSO ---------------------------


@receiver(user_logged_in)
def log_break_glass(sender, request, user, **kwargs):
    """An operator's password sign-in to /admin/ whose email an enforced SSO covers is the
    break-glass path: allowed, and logged in that org's activity log and the server log."""
    if request is None or not request.path.startswith(reverse("admin:index")):
        return
    config = enforced_sso(user.email)
    if config is None:
        return
    logger.warning("Break-glass password sign-in to the admin by %s (SSO enforced)", user.email)
    services.sso_break_glass(actor=user, sso=config)


# --- SAML: replayed or unsolicited answers ----------------------------------------------------


def saml_finish_acs(request, organization_slug):
    """allauth's last SAML step, with its refusal of an answer that matches no sign-in
    started in this session (a replayed or unsolicited assertion: allauth raises
    PermissionDenied) shown on the sign-in refusal page instead of the generic 403."""
    from allauth.socialaccount.providers.saml.views import finish_acs
    from django.core.exceptions import PermissionDenied

    try:
        return finish_acs(request, organization_slug=organization_slug)
    except PermissionDenied:
        return render(
            request,
            "registration/sso_refused.html",
            {
                "sso": sso_reads.for_provider(organization_slug),
                "message": "This answer from the identity provider was already used, or does "
                "not belong to a sign-in started here (a replayed or unsolicited assertion). "
                "Nothing was changed; start again from the login page.",
            },
            status=403,
        )
