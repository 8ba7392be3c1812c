"""Shared admin behaviour."""

from . import public_side


class ReadOnlyAdminMixin:
    """Records staff may read but never add, change or delete in the admin: the record
    stays as it was made (through the public form or a service function)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PublicSideAdmin:
    """Adding, changing and deleting in this admin reach the public side: after the
    object and its relations are saved, or after it is deleted, kotolupaus.public_side
    makes the change its model causes (publishing.changes.PUBLIC_MODELS) in the same
    transaction — the read model's rows, the search, the public version (ETag) and the
    page cache. Every ModelAdmin of a model the public sees inherits it (a test checks).
    """

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        public_side.model_changed(form.instance, by=request.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        public_side.model_changed(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
