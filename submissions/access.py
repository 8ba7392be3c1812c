"""Who may see contact data: the one check, used by every page, export and tool.

Contact data are the name, e-mail address and telephone number of an entry's contact
person, the e-mail addresses partner organisations were invited at, the name and
address of someone who sent a "we want to join" message, and a draft's form data.
Coordinators have the permission `submissions.view_contact_data` (their group is given
it by review migration 0007); reviewers score the entry's text, its organisations and
partners without it.
"""

CONTACT_PERMISSION = "submissions.view_contact_data"
# An entry's contact person.
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "contact_language")


def can_view_contact_data(user) -> bool:
    """May this user see contact data? The only place that decides."""
    return bool(user is not None and user.is_active and user.has_perm(CONTACT_PERMISSION))


class HidesContactData:
    """For a ModelAdmin or inline: without the permission, the `contact_fields` are left
    out of the change page, the list, the filters and the search (so that searching for
    an address cannot reveal whose it is either)."""

    contact_fields = CONTACT_FIELDS

    def _hidden(self, request):
        return () if can_view_contact_data(request.user) else self.contact_fields

    def _without(self, names, request):
        hidden = self._hidden(request)
        if not hidden:
            return names
        return [
            name
            for name in names
            if not (isinstance(name, str) and set(name.lstrip("^=@").split("__")) & set(hidden))
        ]

    def get_fields(self, request, obj=None):
        return self._without(super().get_fields(request, obj), request)

    def get_readonly_fields(self, request, obj=None):
        return self._without(super().get_readonly_fields(request, obj), request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = self._without(options.get("fields", ()), request)
            if fields:
                fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    def get_list_display(self, request):
        return self._without(super().get_list_display(request), request)

    def get_list_filter(self, request):
        return self._without(super().get_list_filter(request), request)

    def get_search_fields(self, request):
        return self._without(super().get_search_fields(request), request)
