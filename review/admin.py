from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from parler.admin import TranslatableAdmin

from kotolupaus.admin_base import AdminBase, InlineBase, audited_by_service
from kotolupaus.admin_mixins import ReadOnlyAdminMixin
from submissions.admin import EntryAdmin
from submissions.models import Entry

from . import security, services
from .audit_display import criterion_ids, criterion_names, readable
from .forms import reviewers
from .models import (
    SECURITY_ACTIONS,
    Assignment,
    AuditEvent,
    AuditEventEntry,
    Award,
    AwardCategory,
    Ballot,
    Conflict,
    Criterion,
    Decision,
    Nomination,
    Review,
    ReviewSettings,
    Score,
)


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(AdminBase, admin.ModelAdmin):
    list_display = [
        "campaign",
        "reviews_per_entry",
        "max_per_reviewer",
        "min_reviews_for_normalisation",
        "disputed_spread",
        "locked_at",
    ]
    readonly_fields = ["locked_at"]


@admin.register(Criterion)
class CriterionAdmin(AdminBase, TranslatableAdmin):
    list_display = [
        "__str__",
        "campaign",
        "weight",
        "scale_min",
        "scale_max",
        "counts_toward_total",
        "position",
    ]
    list_filter = ["campaign", "counts_toward_total"]
    list_select_related = ["campaign"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).prefetch_related("translations", "campaign__translations")
        )


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["entry", "reviewer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reviewer" in self.fields:  # not on the read-only page of an assignment
            self.fields["reviewer"].queryset = reviewers()

    def clean(self):
        cleaned = super().clean()
        entry, reviewer = cleaned.get("entry"), cleaned.get("reviewer")
        if entry and reviewer and services.is_conflicted(reviewer, entry):
            raise ValidationError(
                _("%(user)s has declared a conflict of interest with %(entry)s.")
                % {"user": reviewer, "entry": entry.reference}
            )
        return cleaned


@admin.register(Assignment)
class AssignmentAdmin(AdminBase, admin.ModelAdmin):
    form = AssignmentForm
    list_display = ["entry", "reviewer", "assigned_by", "assigned_at", "reviewed"]
    list_filter = ["entry__campaign", "reviewer"]
    search_fields = ["entry__reference", "reviewer__username"]
    list_select_related = ["entry", "reviewer", "assigned_by"]
    autocomplete_fields = ["entry"]

    @admin.display(boolean=True, description=_("reviewed"))
    def reviewed(self, assignment):
        return Review.objects.filter(
            entry=assignment.entry_id, reviewer=assignment.reviewer_id
        ).exists()

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The service saves it (and records it); the page and its log name that row.
        obj.pk = services.assign(obj.entry, obj.reviewer, request.user).pk

    def delete_model(self, request, obj):
        services.unassign(obj.entry, obj.reviewer, request.user)


class ConflictForm(forms.ModelForm):
    class Meta:
        model = Conflict
        fields = ["entry", "organisation", "reason"]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("entry")) == bool(cleaned.get("organisation")):
            raise ValidationError(_("Choose either an entry or an organisation."))
        return cleaned


@admin.register(Conflict)
class ConflictAdmin(AdminBase, admin.ModelAdmin):
    """Reviewers declare and see their own conflicts; coordinators see everyone's."""

    form = ConflictForm
    list_display = ["reviewer", "entry", "organisation", "reason", "declared_at"]
    list_filter = ["reviewer"]
    search_fields = ["reviewer__username", "entry__reference", "organisation__name"]
    list_select_related = ["reviewer", "entry", "organisation"]
    autocomplete_fields = ["entry", "organisation"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return (
            queryset
            if services.can_coordinate(request.user)
            else queryset.filter(reviewer=request.user)
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a declaration stays on the record

    def save_model(self, request, obj, form, change):
        # The service saves it (and records it); the page and its log name that row.
        conflict = services.declare_conflict(
            request.user, obj.reason, entry=obj.entry, organisation=obj.organisation
        )
        obj.pk, obj.reviewer = conflict.pk, conflict.reviewer


class ScoreInline(InlineBase, admin.TabularInline):
    model = Score
    fields = ["criterion", "value"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(AdminBase, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reviews are written in the review workspace; here coordinators read them."""

    list_display = ["entry", "reviewer", "recommendation", "updated_at"]
    list_filter = ["entry__campaign", "recommendation", "reviewer"]
    search_fields = ["entry__reference", "reviewer__username"]
    list_select_related = ["entry", "reviewer"]
    readonly_fields = ["entry", "reviewer", "recommendation", "comment", "created_at", "updated_at"]
    inlines = [ScoreInline]


@admin.register(Decision)
class DecisionAdmin(AdminBase, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["entry", "outcome", "decided_by", "decided_at", "published_at", "decide"]
    list_filter = ["entry__campaign", "outcome", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["entry__reference"]
    list_select_related = ["entry", "decided_by"]
    readonly_fields = ["entry", "outcome", "rationale", "decided_by", "decided_at", "published_at"]

    @admin.display(description=_("change"))
    def decide(self, decision):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("review:decide", args=[decision.entry_id]),
            _("Change the decision"),
        )


@admin.register(AwardCategory)
class AwardCategoryAdmin(AdminBase, TranslatableAdmin):
    list_display = ["__str__", "campaign", "position", "vote"]
    list_filter = ["campaign"]

    @admin.display(description=_("vote"))
    def vote(self, category):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("review:vote", args=[category.pk]),
            _("Rank the shortlist"),
        )


@admin.register(Nomination)
class NominationAdmin(AdminBase, admin.ModelAdmin):
    list_display = ["category", "entry", "nominated_by", "nominated_at"]
    list_filter = ["category"]
    autocomplete_fields = ["entry"]
    fields = ["category", "entry"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = services.nominate(obj.category, obj.entry, request.user).pk


@admin.register(Ballot)
class BallotAdmin(AdminBase, admin.ModelAdmin):
    list_display = ["category", "voter", "cast_at"]
    readonly_fields = ["category", "voter", "ranks", "cast_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Award)
class AwardAdmin(AdminBase, TranslatableAdmin):
    list_display = ["category", "entry", "awarded_by", "awarded_at"]
    list_filter = ["category"]
    autocomplete_fields = ["entry"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.awarded_by = request.user
        super().save_model(request, obj, form, change)


class EventKindFilter(admin.SimpleListFilter):
    """Security events (logins, devices, passwords, roles, sessions) or the review's."""

    title = _("kind of event")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("security", _("Security")), ("review", _("Review and personal data"))]

    def queryset(self, request, queryset):
        if self.value() == "security":
            return queryset.filter(action__in=SECURITY_ACTIONS)
        if self.value() == "review":
            return queryset.exclude(action__in=SECURITY_ACTIONS)
        return queryset


class AuditEntryFilter(admin.SimpleListFilter):
    """Every event of one entry (the entry column links here); no list of thousands."""

    title = _("entry")
    parameter_name = "entry"

    def lookups(self, request, model_admin):
        value = self.value()
        entry = Entry.objects.filter(pk=value).first() if value and value.isdigit() else None
        return [(str(entry.pk), entry.reference)] if entry else []

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            # Its own events, and those about several entries that name it.
            return queryset.filter(
                Q(entry_id=int(value))
                | Exists(AuditEventEntry.objects.filter(event=OuterRef("pk"), entry_id=int(value)))
            )
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(AdminBase, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "who",
        "action",
        "user",
        "ip_address",
        "entry_link",
        "what_changed",
    ]
    list_filter = [EventKindFilter, AuditEntryFilter, "action", "campaign", "actor"]
    fields = [
        "created_at",
        "actor",
        "action",
        "campaign",
        "entry",
        "user",
        "ip_address",
        "what_changed",
    ]
    readonly_fields = fields
    search_fields = [
        "entry__reference",
        "actor__username",
        "user__username",
        "details__username",
        "ip_address",
    ]
    search_help_text = _(
        "Entry reference, user name (also one tried at a failed login) or IP address"
    )
    list_select_related = ["actor", "user", "entry"]
    date_hierarchy = "created_at"

    @admin.display(description=_("who"), ordering="actor__username")
    def who(self, event):
        if event.actor_id:
            return event.actor.get_username()
        return _("the submitter or the system")

    def get_queryset(self, request):
        # The entries an event about several is linked to (one query for the page).
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("entries", queryset=Entry.objects.only("pk", "reference")))
        )

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Criteria named in the page's scores, in the reader's language: one query.
        names = criterion_names(
            set().union(*(criterion_ids(event) for event in changelist.result_list))
        )
        for event in changelist.result_list:
            event.criterion_names = names
        return changelist

    @admin.display(description=_("entry"), ordering="entry__reference")
    def entry_link(self, event):
        entries = ([event.entry] if event.entry_id else []) + [
            entry for entry in event.entries.all() if entry.pk != event.entry_id
        ]
        if not entries:
            return "–"
        return format_html_join(
            ", ",
            '<a href="?entry={}" title="{}">{}</a>',
            ((e.pk, _("Every event of this entry"), e.reference or "–") for e in entries),
        )

    @admin.display(description=_("details"))
    def what_changed(self, event):
        rows = readable(event, getattr(event, "criterion_names", None))
        if not rows:
            return "–"
        return format_html_join("", '<div class="audit-detail"><strong>{}:</strong> {}</div>', rows)


@admin.action(description=_("End all sessions of the selected users"))
def end_all_sessions(modeladmin, request, queryset):
    ended = sum(security.end_sessions(user, request.user) for user in queryset)
    modeladmin.message_user(
        request,
        ngettext("%(count)d session ended.", "%(count)d sessions ended.", ended) % {"count": ended},
        messages.SUCCESS,
    )


class StaffUserAdmin(AdminBase, UserAdmin):
    """Django's user admin (for administrators), with "end all sessions". Role changes
    (groups, permissions, the staff and superuser flags) and passwords are recorded by
    review/security.py; the row of a save carries the other fields it changed."""

    actions = [end_all_sessions]
    audit_exclude = (
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
        "password",
        "password1",
        "password2",
        "usable_password",
    )

    def user_change_password(self, request, id, form_url=""):
        with self.audit_unit(request):
            return super().user_change_password(request, id, form_url)


# --- Assigning entries from the entry list -------------------------------------------------


class AssignToReviewerForm(forms.Form):
    reviewer: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers()


class ReviewEntryAdmin(EntryAdmin):
    """The submissions entry list, with the review's bulk assignment action."""

    actions = ["assign_to_reviewer"]

    @audited_by_service
    @admin.action(
        description=_("Assign the selected entries to a reviewer"), permissions=["coordinate"]
    )
    def assign_to_reviewer(self, request, queryset):
        form = AssignToReviewerForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reviewer = form.cleaned_data["reviewer"]
            done, refused = 0, []
            for entry in queryset.select_related("campaign"):
                try:
                    services.assign(entry, reviewer, request.user)
                    done += 1
                except services.ReviewError as error:
                    refused.append(str(error))
            self.message_user(
                request,
                ngettext(
                    "%(count)d entry assigned to %(user)s.",
                    "%(count)d entries assigned to %(user)s.",
                    done,
                )
                % {"count": done, "user": reviewer},
                messages.SUCCESS,
            )
            for problem in refused:
                self.message_user(request, problem, messages.WARNING)
            return None
        return render(
            request,
            "review/admin/assign_to_reviewer.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Assign entries to a reviewer"),
                "form": form,
                "entries": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def has_coordinate_permission(self, request):
        return services.can_coordinate(request.user)


admin.site.unregister(Entry)
admin.site.register(Entry, ReviewEntryAdmin)
admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), StaffUserAdmin)
