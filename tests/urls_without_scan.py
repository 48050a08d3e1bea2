"""A URL configuration without the `scan` URL (tests.test_hosts): ShortLinkMiddleware then
takes no path for a short link and passes every request on."""

from django.http import HttpResponse
from django.urls import path


def hello(request, code):
    return HttpResponse(f"not a short link: {code}", content_type="text/plain")


urlpatterns = [path("s/<str:code>", hello)]
