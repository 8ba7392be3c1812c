"""E-mail messages in the admin: coordinators see what waits (and when it is tried next),
what was sent and what failed or was refused by the per-address limits, read the text as
sent with its private links masked, have a waiting message tried now and send a failed
one again. Nobody edits or deletes the record."""

from datetime import timedelta

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaks_filter
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from procrastinate.contrib.django.models import ProcrastinateJob

from . import mail
from .admin_base import AdminBase, InlineBase, entry_change_url_name, entry_reference
from .models import Message, MessageStatus
from .templatetags.kotolupaus import when


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

# Backup codes are made on the staff member's own page (review: staff/backup-codes/),
# shown once there and never listed.
if admin.site.is_registered(StaticDevice):
    admin.site.unregister(StaticDevice)


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
            ("failed-recently", _("Failed in the last 3 days")),
            (
                "waiting",
                ngettext(
                    "Waiting longer than %(minutes)d minute",
                    "Waiting longer than %(minutes)d minutes",
                    settings.MAIL_WAITING_WARNING_MINUTES,
                )
                % {"minutes": settings.MAIL_WAITING_WARNING_MINUTES},
            ),
            ("refused", _("Refused by the limit in the last 24 hours")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "yes":
            return queryset.filter(status__in=[MessageStatus.FAILED, MessageStatus.QUEUED])
        if value == "failed":
            return queryset.filter(status=MessageStatus.FAILED)
        if value == "failed-recently":
            return queryset.filter(
                status=MessageStatus.FAILED, failed_at__gte=now - mail.FAILED_SHOWN_FOR
            )
        if value == "waiting":
            minutes = settings.MAIL_WAITING_WARNING_MINUTES
            return queryset.filter(
                status=MessageStatus.QUEUED, created_at__lt=now - timedelta(minutes=minutes)
            )
        if value == "refused":
            return queryset.filter(
                status=MessageStatus.REFUSED, created_at__gte=now - mail.LIMIT_WINDOW
            )
        return queryset


def why_refused(message) -> str:
    """Why a message refused by the per-address limit was not sent, in words."""
    return ngettext(
        "Not sent: this address had already been sent %(count)d message of this kind in 24 "
        "hours, as many as we send.",
        "Not sent: this address had already been sent %(count)d messages of this kind in 24 "
        "hours, as many as we send.",
        message.limit_per_day or 0,
    ) % {"count": message.limit_per_day or 0}


@admin.register(Message)
class MessageAdmin(AdminBase, admin.ModelAdmin):
    # Recipients, reply-to addresses and the text (it names the contact person, a join
    # request's sender …) are contact data (submissions/access.py): the admin base leaves
    # them out for staff without the permission. What needs attention first, so that it
    # shows beside the menu and the filters at 1280 px; language, attempts and times are
    # on the message's page.
    list_display = [
        "created_at",
        "status",
        "next_try",
        "kind",
        "recipient",
        "entry_reference",
        "note",
    ]
    list_filter = [NeedsAttentionFilter, "status", "kind", "language"]
    # The entry's reference is read in the list's own query (admin_base.entry_reference).
    search_fields = ["recipient", "entry_ref", "subject"]
    date_hierarchy = "created_at"
    actions = ["try_now", "send_again"]
    fields = [
        "kind",
        "recipient",
        "language",
        "entry",
        "subject",
        "reply_to",
        "status",
        "why_not_sent",
        "next_try",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "failed_at",
        "message_id",
        "text_as_sent",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # When the message's job runs next: procrastinate's own row (its scheduled_at),
        # read in the same query as the list.
        job = ProcrastinateJob.objects.filter(pk=OuterRef("job_id"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                job_status=Subquery(job.values("status")[:1]),
                job_scheduled_at=Subquery(job.values("scheduled_at")[:1]),
                entry_ref=entry_reference(OuterRef("entry_id")),
            )
        )

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

    def get_urls(self):
        own = [
            path(
                "<int:pk>/try-now/",
                self.admin_site.admin_view(self.try_now_view),
                name="kotolupaus_message_try_now",
            ),
            path(
                "<int:pk>/send-again/",
                self.admin_site.admin_view(self.send_again_view),
                name="kotolupaus_message_send_again",
            ),
        ]
        return own + super().get_urls()

    # --- Columns and fields ---------------------------------------------------------------

    @admin.display(description=_("entry"), ordering="entry_ref")
    def entry_reference(self, message):
        return getattr(message, "entry_ref", None)

    @admin.display(description=_("entry"))
    def entry(self, message):
        """On the message's page: the reference, a link to the entry's page."""
        reference = getattr(message, "entry_ref", None)
        if reference is None:
            return None
        url = reverse(
            entry_change_url_name(), args=[message.entry_id], current_app=self.admin_site.name
        )
        return format_html('<a href="{}">{}</a>', url, reference)

    @admin.display(description=_("next try"))
    def next_try(self, message):
        if message.status != MessageStatus.QUEUED:
            return None  # shown as the admin's "-"
        status = getattr(message, "job_status", None)
        scheduled = getattr(message, "job_scheduled_at", None)
        if status == "doing":
            return _("being sent now")
        if status != "todo":
            return _("not planned: choose “Try now”")
        if scheduled is None or scheduled <= timezone.now():
            return _("now, as soon as a worker is free")
        return when(scheduled, "short")

    @admin.display(description=_("why not sent"))
    def why_not_sent(self, message):
        # A failure's reason is its last error, shown beside it.
        return why_refused(message) if message.status == MessageStatus.REFUSED else None

    @admin.display(description=_("note"))
    def note(self, message):
        if message.status == MessageStatus.REFUSED:
            return why_refused(message)
        text = message.last_error
        return (text[:80] + "…") if len(text) > 80 else text

    @admin.display(description=_("text (private links masked)"))
    def text_as_sent(self, message):
        # Shown to staff who may see contact data only (the admin base reads this mark).
        if not message.masked_body:
            return _("Not kept: the message was sent before texts were kept, or erased.")
        return format_html(
            '<div class="message-text">{}</div>',
            linebreaks_filter(message.masked_body, autoescape=True),
        )

    text_as_sent.contact_data = True  # type: ignore[attr-defined]

    # --- Actions -------------------------------------------------------------------------

    def _tell(self, request, outcome):
        """Say what `mail.try_now()` did, for one or many messages."""
        counts = {
            key: sum(1 for o in outcome if o == key)
            for key in (mail.TryNow.RESCHEDULED, mail.TryNow.IN_PROGRESS, mail.TryNow.NOT_WAITING)
        }
        if counts[mail.TryNow.RESCHEDULED]:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message will be tried now.",
                    "%(count)d messages will be tried now.",
                    counts[mail.TryNow.RESCHEDULED],
                )
                % {"count": counts[mail.TryNow.RESCHEDULED]},
                messages.SUCCESS,
            )
        if counts[mail.TryNow.IN_PROGRESS]:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message is being sent at this moment.",
                    "%(count)d messages are being sent at this moment.",
                    counts[mail.TryNow.IN_PROGRESS],
                )
                % {"count": counts[mail.TryNow.IN_PROGRESS]},
                messages.INFO,
            )
        if counts[mail.TryNow.NOT_WAITING]:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message was not waiting to be sent, so it was not tried.",
                    "%(count)d messages were not waiting to be sent, so they were not tried.",
                    counts[mail.TryNow.NOT_WAITING],
                )
                % {"count": counts[mail.TryNow.NOT_WAITING]},
                messages.WARNING,
            )

    @admin.action(description=_("Try the chosen waiting messages now"), permissions=["change"])
    def try_now(self, request, queryset):
        self._tell(request, [mail.try_now(message) for message in queryset])

    @admin.action(description=_("Send the chosen failed messages again"), permissions=["change"])
    def send_again(self, request, queryset):
        sent = sum(mail.resend(message) for message in queryset)
        skipped = queryset.count() - sent
        self._tell_resent(request, sent, skipped)

    def _tell_resent(self, request, sent, skipped):
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

    def _own_message(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(Message, pk=pk)

    def _back(self, message):
        return redirect(reverse("admin:kotolupaus_message_change", args=[message.pk]))

    def try_now_view(self, request, pk):
        """The "Try now" button on a message's page."""
        return require_POST(self._try_now_view)(request, pk)

    def _try_now_view(self, request, pk):
        message = self._own_message(request, pk)
        self._tell(request, [mail.try_now(message)])
        return self._back(message)

    def send_again_view(self, request, pk):
        """The "Send again" button on a failed message's page."""
        return require_POST(self._send_again_view)(request, pk)

    def _send_again_view(self, request, pk):
        message = self._own_message(request, pk)
        sent = mail.resend(message)
        self._tell_resent(request, int(sent), int(not sent))
        return self._back(message)
