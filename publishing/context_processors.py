from django.utils.functional import SimpleLazyObject

from .queries import current_campaign


def campaign(request):
    """`campaign` in every template: the current campaign (None when there is none),
    kept until the next public change (queries.current_campaign). Lazy, so a page that
    never shows it costs nothing."""
    return {"campaign": SimpleLazyObject(current_campaign)}
