"""Moderating entries and progress reports."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kotolupaus.admin_base import AdminBase, audited_by_service
from submissions.models import EntryStatus

from .. import moderation, services
from ..models import (
    AWAITING_MODERATION,
    PUBLICATION_TRANSITIONS,
    Publication,
    PublicationStatus,
    ReportPublication,
)
from .translations import moderation_labels


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the submitter change?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write what the submitter should change.")},
        help_text=_(
            "Sent by e-mail with a new private link; the submitter can edit the entry "
            "even after the deadline."
        ),
    )


class ModerationStateFilter(admin.SimpleListFilter):
    """The moderation list opens on what awaits a moderator (fixed entries first)."""

    title = _("publication")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("awaiting", _("Waiting for moderation (fixed ones first)")),
            *PublicationStatus.choices,
            ("all", _("All")),
        ]

    def value(self):
        return super().value() or "awaiting"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == "awaiting":
            return queryset.filter(status__in=AWAITING_MODERATION)
        if value in PublicationStatus.values:
            return queryset.filter(status=value)
        return queryset


class ModerationActions:
    """Approve, do not publish, return for fixes, move back to moderation: the same
    actions for entries and for progress reports, each done by the one transition
    function (moderate_one), what the lifecycle refuses reported and not done."""

    actions = ["approve", "reject", "return_for_fixes", "reconsider"]
    change_form_template = "publishing/admin/moderation_change_form.html"

    def moderate_one(self, obj, to, by, **kwargs):
        raise NotImplementedError

    def waiting_first(self, queryset):
        """Fixed by the submitter first, then waiting, then the rest; each the longest
        waiting first (by when its status changed: a note's edit does not move it)."""
        return queryset.annotate(
            waiting=Case(
                When(status=PublicationStatus.FIXED, then=Value(0)),
                When(status=PublicationStatus.PENDING, then=Value(1)),
                default=Value(2),
            )
        ).order_by("waiting", "status_changed_at", "pk")

    @admin.display(description=_("in this state since"), ordering="status_changed_at")
    def waiting_since(self, obj):
        return date_format(localtime(obj.status_changed_at), "SHORT_DATE_FORMAT")

    def done_message(self, to, count):
        return {
            PublicationStatus.APPROVED: ngettext(
                "%(count)d entry approved. It is public while its submitter consents.",
                "%(count)d entries approved. They are public while their submitters consent.",
                count,
            ),
            PublicationStatus.REJECTED: ngettext(
                "%(count)d entry will not be published.",
                "%(count)d entries will not be published.",
                count,
            ),
            PublicationStatus.PENDING: ngettext(
                "%(count)d entry is waiting for moderation again.",
                "%(count)d entries are waiting for moderation again.",
                count,
            ),
            PublicationStatus.RETURNED: ngettext(
                "%(count)d submitter was asked to fix the entry.",
                "%(count)d submitters were asked to fix their entries.",
                count,
            ),
        }[to] % {"count": count}

    def _moderate(self, request, queryset, to, **kwargs):
        done = 0
        for obj in queryset:
            try:
                self.moderate_one(obj, to, request.user, **kwargs)
            except services.TransitionNotAllowed as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, self.done_message(to, done), messages.SUCCESS)

    @audited_by_service
    @admin.action(description=_("Approve for publication"), permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, PublicationStatus.APPROVED)

    @audited_by_service
    @admin.action(description=_("Do not publish"), permissions=["change"])
    def reject(self, request, queryset):
        self._moderate(request, queryset, PublicationStatus.REJECTED)

    @audited_by_service
    @admin.action(description=_("Move back to moderation"), permissions=["change"])
    def reconsider(self, request, queryset):
        self._moderate(request, queryset, PublicationStatus.PENDING)

    @audited_by_service
    @admin.action(description=_("Return to the submitter for fixes…"), permissions=["change"])
    def return_for_fixes(self, request, queryset):
        """First a page that asks what the submitter should change; its "Send" returns
        each chosen entry (or report) with that comment, e-mailed in the submitter's
        language. An empty comment is refused next to the field, nothing changed."""
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._moderate(
                request, queryset, PublicationStatus.RETURNED, comment=form.cleaned_data["comment"]
            )
            return None
        return self.return_form_page(request, form, list(queryset), action=True)

    def return_form_page(self, request, form, chosen, *, action):
        return render(
            request,
            "publishing/admin/return_for_fixes.html",
            {
                **self.admin_site.each_context(request),
                "title": self.return_title,
                "form": form,
                "chosen": [(obj.pk, self.moderation_label(obj)) for obj in chosen],
                "from_list": action,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
                "original": chosen[0] if not action else None,
            },
        )

    def return_view(self, request, object_id):
        """Return one entry (or report) for fixes from its own page in the admin."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        form = ReturnForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            with self.audit_unit(request):
                self._return_one(request, obj, form.cleaned_data["comment"])
            return redirect(
                reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                    args=[obj.pk],
                    current_app=self.admin_site.name,
                )
            )
        return self.return_form_page(request, form, [obj], action=False)

    def _return_one(self, request, obj, comment):
        try:
            self.moderate_one(obj, PublicationStatus.RETURNED, request.user, comment=comment)
        except services.TransitionNotAllowed as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            self.message_user(
                request, self.done_message(PublicationStatus.RETURNED, 1), messages.SUCCESS
            )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_return"] = (
            obj is not None
            and self.has_change_permission(request, obj)
            and PublicationStatus.RETURNED in PUBLICATION_TRANSITIONS[PublicationStatus(obj.status)]
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/return/",
                self.admin_site.admin_view(self.return_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_return",
            ),
            *super().get_urls(),
        ]


@admin.register(Publication)
class PublicationAdmin(AdminBase, ModerationActions, admin.ModelAdmin):
    # The transitions make the public change themselves (the form saves only the note).
    public_change_by_service = True
    # Fits 1280 px beside the admin's menu and the filters: the reference once, the
    # title once, the state, consent and flags always in view (first publication and
    # last change are on each entry's page).
    list_display = [
        "reference",
        "title",
        "status",
        "shown",
        "consent",
        "flag_list",
        "waiting_since",
    ]
    list_display_links = ["reference"]
    list_filter = [
        ModerationStateFilter,
        "entry__campaign",
        "entry__consent_publish",
        "entry__status",
    ]
    search_fields = [
        "entry__reference",
        "entry__translations__title",
        "entry__lead_organisation__name",
    ]
    list_select_related = ["entry"]
    readonly_fields = [
        "entry",
        "status",
        "flags",
        "returned_comment",
        "first_published_at",
        "decided_by",
        "updated_at",
    ]
    fields = [
        "entry",
        "status",
        "flags",
        "note",
        "returned_comment",
        "first_published_at",
        "decided_by",
        "updated_at",
    ]

    def get_queryset(self, request):
        return self.waiting_first(
            super()
            .get_queryset(request)
            .select_related("entry")
            .prefetch_related("entry__translations")
        )

    return_title = _("Return to the submitter for fixes")

    def moderate_one(self, publication, to, by, **kwargs):
        services.moderate(publication.entry, to, by=by, **kwargs)

    def moderation_label(self, publication):
        return str(publication.entry)

    @admin.display(description=_("reference"), ordering="entry__reference")
    def reference(self, publication):
        return publication.entry.reference

    @admin.display(description=_("title"))
    def title(self, publication):
        return publication.entry.safe_translation_getter("title", any_language=True)

    @admin.display(description=_("consent"), ordering="entry__consent_publish")
    def consent(self, publication):
        # Django's own icon says "True" or "False" in English: this one in the page's
        # language.
        given = publication.entry.consent_publish
        return format_html(
            '<img src="{}" alt="{}">',
            static(f"admin/img/icon-{'yes' if given else 'no'}.svg"),
            _("yes") if given else _("no"),
        )

    @admin.display(boolean=True, description=_("public now"))
    def shown(self, publication):
        """An approved version is public (also while an edit waits for moderation)."""
        entry = publication.entry
        return bool(
            publication.approved_version_id
            and entry.consent_publish
            and entry.status == EntryStatus.SUBMITTED
        )

    @admin.display(description=_("automatic flags"))
    def flag_list(self, publication):
        return ", ".join(str(moderation.FLAG_LABELS.get(f, f)) for f in publication.flags) or "–"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportPublication)
class ReportPublicationAdmin(AdminBase, ModerationActions, admin.ModelAdmin):
    # The transitions make the public change themselves (the form saves only the note).
    public_change_by_service = True
    """Progress reports wait here for moderation, like entries."""

    list_display = [
        "entry_reference",
        "reported_on",
        "progress",
        "status",
        "flag_list",
        "waiting_since",
    ]
    list_display_links = ["entry_reference", "reported_on"]
    list_filter = [ModerationStateFilter, "report__entry__campaign", "report__status"]
    search_fields = ["report__entry__reference", "report__translations__text"]
    list_select_related = ["report__entry"]
    fields = [
        "report",
        "text",
        "status",
        "flags",
        "note",
        "returned_comment",
        "first_published_at",
        "decided_by",
        "updated_at",
    ]
    readonly_fields = [name for name in fields if name != "note"]

    def get_queryset(self, request):
        return self.waiting_first(
            super()
            .get_queryset(request)
            .select_related("report__entry")
            .prefetch_related("report__translations")
        )

    return_title = _("Return the progress report to the submitter for fixes")

    def moderate_one(self, moderation, to, by, **kwargs):
        services.moderate_report(moderation.report, to, by=by, **kwargs)

    def moderation_label(self, moderation):
        report = moderation.report
        return _("Progress report of %(day)s on %(entry)s") % {
            "day": date_format(report.reported_on, "SHORT_DATE_FORMAT"),
            "entry": report.entry.reference,
        }

    def done_message(self, to, count):
        return {
            PublicationStatus.APPROVED: ngettext(
                "%(count)d progress report approved. It is shown with its entry.",
                "%(count)d progress reports approved. They are shown with their entries.",
                count,
            ),
            PublicationStatus.REJECTED: ngettext(
                "%(count)d progress report will not be published.",
                "%(count)d progress reports will not be published.",
                count,
            ),
            PublicationStatus.PENDING: ngettext(
                "%(count)d progress report is waiting for moderation again.",
                "%(count)d progress reports are waiting for moderation again.",
                count,
            ),
            PublicationStatus.RETURNED: ngettext(
                "%(count)d submitter was asked to fix the progress report.",
                "%(count)d submitters were asked to fix their progress reports.",
                count,
            ),
        }[to] % {"count": count}

    @admin.display(description=_("entry"), ordering="report__entry__reference")
    def entry_reference(self, moderation):
        return moderation.report.entry.reference

    @admin.display(description=_("date of the report"), ordering="report__reported_on")
    def reported_on(self, moderation):
        return date_format(moderation.report.reported_on, "SHORT_DATE_FORMAT")

    @admin.display(description=_("progress"), ordering="report__status")
    def progress(self, moderation):
        return moderation.report.get_status_display()

    @admin.display(description=_("what has been done"))
    def text(self, moderation):
        return moderation.report.text_in()

    @admin.display(description=_("automatic flags"))
    def flag_list(self, moderation):
        return ", ".join(str(moderation_labels(f)) for f in moderation.flags) or "–"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
