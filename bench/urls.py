"""The site's own URLs plus /bench/ceiling/: a trivial template rendered through the
whole middleware stack, the upper bound any real page can reach on this server."""

from django.http import HttpResponse
from django.template import Context, Template
from django.urls import path

from kotolupaus.urls import handler500  # noqa: F401 - the site's 500/503 pages
from kotolupaus.urls import urlpatterns as site_urlpatterns

TEMPLATE = Template("<p>{{ x }}</p>")


def ceiling(request):
    return HttpResponse(TEMPLATE.render(Context({"x": "ceiling"})))


urlpatterns = [path("bench/ceiling/", ceiling, name="bench_ceiling"), *site_urlpatterns]
