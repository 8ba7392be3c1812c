"""The one path of every change the public can see.

Whatever alters a public page — an entry's text or translation, its moderation, its
consent or withdrawal, a partner's answer, a decision, a prize and its citation, the
campaign's texts, theme and target-group names, the programme text — ends in
`public_change()`. It rebuilds the search document of the entry concerned (or drops it
when the entry is no longer public) and moves the public version, from which every
public page takes its ETag and Last-Modified, so a browser or CDN holding an old page
gets the new one (200), never a stale 304.

Service functions call it for the changes they own (publishing.services, the signal
receivers in publishing/signals.py for submissions and review); staff-maintained texts
edited in the admin reach it through the post_save/post_delete receivers in
publishing/signals.py.
"""

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models import DateTimeField, F, Func
from django.db.models.functions import Greatest, Now

from submissions.models import Entry

from . import search
from .models import Publication, PublicState, SearchDocument
from .tasks import rebuild_public_files_soon

log = logging.getLogger(__name__)

CACHE_KEY = "publishing:public-state"  # queries.public_state()


def public_change(*, entry=None) -> None:
    """Something public changed (about `entry`, when given): refresh its search document
    and move the public version, both in the current transaction."""
    taken_down = False
    if entry is not None:
        taken_down = refresh_search(entry)
        refresh_progress(entry)
    # One row, moved to the database's clock as it is now (not the transaction's start);
    # its row lock makes concurrent changes take turns, so the time only moves forward
    # in the order they commit. The cached copy is forgotten once the change is visible.
    now = Func(function="clock_timestamp", output_field=DateTimeField())
    updated = PublicState.objects.filter(pk=1).update(changed_at=Greatest(F("changed_at"), now))
    if not updated:
        PublicState.objects.get_or_create(pk=1, defaults={"changed_at": now})
    cache.delete(CACHE_KEY)  # this process, at once …
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))  # … and once others can see it
    # The open-data files and programme PDFs follow within PUBLIC_FILES_REBUILD_SECONDS,
    # or at once when an entry was taken down (withdrawn, consent withdrawn, unpublished).
    rebuild_public_files_soon(at_once=taken_down)


def refresh_search(entry) -> bool:
    """A published entry's search document holds its current text and confirmed
    partners; an entry that is not public has none. Publication.last_public_at keeps
    when the entry was last seen public (its page then says "no longer published").
    Returns whether the entry was taken down by this change."""
    from .queries import published

    if published(Entry.objects.filter(pk=entry.pk)).exists():
        search.index_entry(entry)
        Publication.objects.filter(entry_id=entry.pk).update(last_public_at=Now())
    elif SearchDocument.objects.filter(entry_id=entry.pk).delete()[0]:
        # It was public until this change.
        Publication.objects.filter(entry_id=entry.pk).update(last_public_at=Now())
        return True
    return False


def refresh_progress(entry) -> None:
    """The entry's progress as the catalogue filters it: its newest approved report's."""
    from .progress import latest_progress

    Publication.objects.filter(entry_id=entry.pk).update(progress_status=latest_progress(entry))
