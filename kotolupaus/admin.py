"""E-mail messages in the admin: coordinators see what waits, what was sent and what
failed, and send a failed message again. Nobody edits or deletes the record, and the
text (which carries private links) is never shown."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from submissions.access import HidesContactData

from . import mail
from .models import Message, MessageStatus


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
class MessageAdmin(HidesContactData, admin.ModelAdmin):
    # Recipients and reply-to addresses are contact data (submissions/access.py).
    contact_fields = ("recipient", "reply_to")
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
