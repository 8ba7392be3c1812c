"""Staff members' signed-in sessions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffSession(models.Model):
    """A logged-in staff session, so that a coordinator can see a user's sessions and end
    them all from one place. The session itself stays in Django's session store; this
    row only names it. Made at login, removed at logout or when ended."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="staff_sessions",
    )
    session_key = models.CharField(_("session"), max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("logged in at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last active at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff session")
        verbose_name_plural = _("staff sessions")
        ordering = ["user", "-last_seen_at"]

    def __str__(self):
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"
