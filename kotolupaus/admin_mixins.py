"""Shared admin behaviour."""


class ReadOnlyAdminMixin:
    """Records staff may read but never add, change or delete in the admin: the record
    stays as it was made (through the public form or a service function)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
