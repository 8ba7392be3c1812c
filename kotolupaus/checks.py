"""Deployment checks (`manage.py check --deploy`): the insecure overrides are loud."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def insecure_overrides(app_configs, **kwargs):
    warnings = []
    if not settings.STAFF_2FA and settings.INSECURE_STAFF_WITHOUT_2FA:
        warnings.append(
            Warning(
                "Staff log in without a one-time code: STAFF_2FA is off and "
                "INSECURE_STAFF_WITHOUT_2FA is set.",
                hint="A leaked password is enough to enter the admin panel. Turn STAFF_2FA "
                "back on and remove INSECURE_STAFF_WITHOUT_2FA.",
                id="kotolupaus.W001",
            )
        )
    plain = [
        name
        for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
        if not getattr(settings, name)
    ]
    if plain and settings.INSECURE_COOKIES_WITHOUT_HTTPS:
        warnings.append(
            Warning(
                f"Cookies may travel over plain http: {' and '.join(plain)} off, "
                "INSECURE_COOKIES_WITHOUT_HTTPS is set.",
                hint="Anyone on the network path can take over a staff session. Serve the "
                "site over HTTPS only and remove INSECURE_COOKIES_WITHOUT_HTTPS.",
                id="kotolupaus.W002",
            )
        )
    return warnings


@register(Tags.security, deploy=True)
def proxies(app_configs, **kwargs):
    if settings.BEHIND_TLS_PROXY and not settings.TRUSTED_PROXY_COUNT:
        return [
            Warning(
                "BEHIND_TLS_PROXY is set but TRUSTED_PROXY_COUNT is 0: every visitor has the "
                "proxy's address, so they share one rate limit and one login lockout.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies in front of the app "
                "servers (1 for nginx, 2 for a CDN and nginx).",
                id="kotolupaus.W010",
            )
        ]
    return []
