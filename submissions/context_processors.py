from django.utils.functional import SimpleLazyObject

from .models import Campaign


def campaign(request):
    """`campaign` in every template: the current campaign (None when there is none).

    Lazy, so a page that never shows it costs no query.
    """
    return {"campaign": SimpleLazyObject(Campaign.objects.current)}
