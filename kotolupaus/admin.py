"""E-mail messages in the admin: coordinators see what waits, what was sent and what
failed, and send a failed message again. Nobody edits or deletes the record, and the
text (which carries private links) is never shown."""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from procrastinate.contrib.django.models import ProcrastinateJob

from . import mail
from .admin_base import AdminBase, InlineBase
from .models import Message, MessageStatus


def with_the_admin_base(model):
    """Register a library's admin again, with the rules every admin shares
    (kotolupaus/admin_base.py) first in its bases, and its inlines with theirs."""
    registered = type(admin.site._registry[model])
    inlines = [
        type(inline.__name__, (InlineBase, inline), {"__module__": __name__})
        for inline in registered.inlines
    ]
    admin.site.unregister(model)
    admin.site.register(
        model,
        type(
            registered.__name__,
            (AdminBase, registered),
            {"__module__": __name__, "inlines": inlines},
        ),
    )


# Groups (roles), authenticator apps, login attempts and lockouts, jobs. (The users'
# admin is registered again in review/admin.py, with "end all sessions".)
for library_model in (
    Group,
    TOTPDevice,
    AccessLog,
    AccessFailureLog,
    ProcrastinateJob,
):
    if admin.site.is_registered(library_model):
        with_the_admin_base(library_model)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AdminBase, axes_admin.AccessAttemptAdmin):
    """django-axes' list of failed logins and lockouts."""

    @admin.action(
        description=axes_admin.AccessAttemptAdmin.cleanup_expired_attempts.short_description
    )
    def cleanup_expired_attempts(self, request, queryset):
        # django-axes reads the time of a login attempt from the request (a server error
        # without it): here, now.
        request.axes_attempt_time = timezone.now()
        return super().cleanup_expired_attempts(request, queryset)


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Failed or still waiting")),
            ("failed", _("Failed")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=[MessageStatus.FAILED, MessageStatus.QUEUED])
        if self.value() == "failed":
            return queryset.filter(status=MessageStatus.FAILED)
        return queryset


@admin.register(Message)
class MessageAdmin(AdminBase, admin.ModelAdmin):
    # Recipients and reply-to addresses are contact data (submissions/access.py): the
    # admin base leaves them out for staff without the permission.
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "language",
        "entry_reference",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = [NeedsAttentionFilter, "status", "kind", "language"]
    search_fields = ["recipient", "entry__reference", "subject"]
    list_select_related = ["entry"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = [
        "kind",
        "recipient",
        "language",
        "entry",
        "subject",
        "reply_to",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "message_id",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        counts = Message.objects.aggregate(
            failed=Count("pk", filter=Q(status=MessageStatus.FAILED)),
            queued=Count("pk", filter=Q(status=MessageStatus.QUEUED)),
        )
        extra_context = {
            **(extra_context or {}),
            "subtitle": _("%(failed)s failed, %(queued)s waiting to be sent") % counts,
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("entry"), ordering="entry__reference")
    def entry_reference(self, message):
        return message.entry.reference if message.entry else "–"

    @admin.display(description=_("last error"))
    def short_error(self, message):
        return (
            (message.last_error[:80] + "…") if len(message.last_error) > 80 else message.last_error
        )

    @admin.action(description=_("Send the chosen failed messages again"), permissions=["change"])
    def send_again(self, request, queryset):
        sent = sum(mail.resend(message) for message in queryset)
        skipped = queryset.count() - sent
        if sent:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message will be sent again.",
                    "%(count)d messages will be sent again.",
                    sent,
                )
                % {"count": sent},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message was not failed or its address was erased, so it was not sent again.",
                    "%(count)d messages were not failed or their addresses were erased, so they were not sent again.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
