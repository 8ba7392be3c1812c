"""Site-wide pages: the home page and the statements every public service needs."""

from django.shortcuts import render


def home(request):
    return render(request, "home.html")


def about(request):
    return render(request, "pages/about.html")


def privacy(request):
    return render(request, "pages/privacy.html")


def accessibility(request):
    return render(request, "pages/accessibility.html")


def rate_limited(request, exception):
    """Too many posts from one address (django-ratelimit): a translated 429 page."""
    return render(request, "429.html", status=429)
