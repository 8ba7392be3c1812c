"""The append-only audit trail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from submissions.models import Campaign, Entry


class AuditAction(models.TextChoices):
    ASSIGNED = "assigned", _("assigned")
    UNASSIGNED = "unassigned", _("unassigned")
    CONFLICT_DECLARED = "conflict", _("declared a conflict of interest")
    SCORED = "scored", _("scored")
    SCORE_CHANGED = "rescored", _("changed a review")
    REVIEW_LOCKED = "locked", _("locked the review")
    REVIEW_UNLOCKED = "unlocked", _("unlocked the review")
    DECIDED = "decided", _("decided")
    DECISIONS_PUBLISHED = "published", _("published the decisions")
    NOMINATED = "nominated", _("shortlisted for a prize")
    VOTED = "voted", _("voted")
    AWARDED = "awarded", _("awarded a prize")
    PERSONAL_DATA_EXPORTED = "pd_exported", _("exported personal data")
    PERSONAL_DATA_ERASED = "pd_erased", _("erased personal data")
    RETENTION_PURGED = "retention", _("purged contact data after the retention period")
    # Security events: staff accounts, logins and sessions (review/security.py).
    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOCKED_OUT = "locked_out", _("login locked after failed attempts")
    LOGIN_SLOWED = "login_slowed", _("logins for a user name slowed down after failed attempts")
    LOGIN_UNLOCKED = "login_unlock", _("opened a locked or slowed-down login")
    LOGOUT = "logout", _("logged out")
    SESSION_EXPIRED = "session_end", _("session ended automatically")
    SESSIONS_ENDED = "sessions_end", _("ended all sessions of a user")
    DEVICE_ADDED = "otp_added", _("two-factor device added")
    DEVICE_REMOVED = "otp_removed", _("two-factor device removed")
    PASSWORD_CHANGED = "password", _("password changed")
    ROLE_CHANGED = "role_changed", _("role changed")
    # Publishing and the staff-maintained texts.
    MODERATED = "moderated", _("moderated")
    ENTRY_STATUS = "entry_status", _("changed an entry's status")
    TRANSLATED = "translated", _("translated or corrected a public text")
    PROGRAMME = "programme", _("edited the programme text")
    CRITERIA = "criteria", _("changed a criterion")
    SETTINGS = "settings", _("changed the review settings")
    SCORE_WITHDRAWN = "score_wdrawn", _("review withdrawn after a conflict of interest")
    AWARD_CHANGED = "award_edit", _("changed a prize")
    AWARD_DELETED = "award_del", _("deleted a prize")
    REMINDED = "reminded", _("sent a reminder to report progress")
    INDICATOR = "indicator", _("changed a follow-up indicator")
    # Changes made in the admin panel (review/audit.py: ADMIN_ACTIONS).
    CAMPAIGN = "campaign", _("changed a campaign")
    TAXONOMY = "taxonomy", _("changed a theme or target group")
    ORGANISATION = "organisation", _("changed an organisation")
    NOTE = "note", _("changed an internal note")
    ACCOUNT = "account", _("changed a staff account")
    ADMIN_CHANGED = "admin_change", _("changed a record in the admin panel")
    ADMIN_ACTION = "admin_action", _("ran an action in the admin panel")


SECURITY_ACTIONS = (
    AuditAction.LOGIN,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOCKED_OUT,
    AuditAction.LOGIN_SLOWED,
    AuditAction.LOGIN_UNLOCKED,
    AuditAction.LOGOUT,
    AuditAction.SESSION_EXPIRED,
    AuditAction.SESSIONS_ENDED,
    AuditAction.DEVICE_ADDED,
    AuditAction.DEVICE_REMOVED,
    AuditAction.PASSWORD_CHANGED,
    AuditAction.ROLE_CHANGED,
)


class AuditEvent(models.Model):
    """Who did what to which entry, and when. Rows are never changed or deleted: the
    database refuses UPDATE and DELETE on this table (see migration 0002).

    Security events (SECURITY_ACTIONS) belong to no campaign; `user` is the staff
    account concerned and `ip_address` where the request came from. Passwords and
    one-time codes are never recorded."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("what"), max_length=12, choices=AuditAction.choices)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # An event about several entries (decisions published, personal data exported …) is
    # linked to each, so that the trail filtered by an entry finds it.
    entries = models.ManyToManyField(
        Entry,
        verbose_name=_("entries"),
        through="AuditEventEntry",
        related_name="+",
        blank=True,
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user", "-created_at"],
                condition=Q(user__isnull=False),
                name="auditevent_user_recent",
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"


class AuditEventEntry(models.Model):
    """An entry an audit event is about, besides its `entry`. Append-only like the events
    (the same database trigger refuses UPDATE and DELETE)."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("entry of an audit event")
        verbose_name_plural = _("entries of audit events")
        constraints = [
            models.UniqueConstraint(fields=["event", "entry"], name="auditevententry_once"),
        ]
        indexes = [models.Index(fields=["entry", "event"], name="auditevententry_by_entry")]

    def __str__(self):
        return f"{self.event_id} → {self.entry_id}"
