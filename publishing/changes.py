"""The one path of every change the public can see, and the list of what causes one.

`public_change()` is the only writer of the public read model (PublicEntry, with the
search vocabulary): it rebuilds the rows of the entries concerned from the source tables
(publishing.read_model, from the one definition of what is public) — or deletes them
when an entry is no longer public — and moves the public version, from which every
public page takes its ETag, Last-Modified and its key in the page cache, so a browser or
CDN holding an old page gets the new one (200), never a stale 304. All of it in the
transaction of the change: a change that fails half-way leaves the read model as it was.

`PUBLIC_MODELS` lists every model whose rows the public sees (in the read model or on a
public page) with what a change of one of its rows causes; `model_changed()` follows it.
The services of publishing call public_change() for the changes they own; review's
services, the admin's saves and deletions (kotolupaus.admin_base.AdminBase) and
anything else before publishing reach model_changed() through kotolupaus.public_side,
which publishing fills at start-up (publishing/apps.py). tests/test_public_changes.py
checks that every model the public pages read is on the list.
"""

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models import DateTimeField, F, Func
from django.db.models.functions import Greatest, Now

from review.models import Award, AwardCategory, Decision
from submissions.models import (
    Campaign,
    Entry,
    EntryVersion,
    Indicator,
    Municipality,
    Organisation,
    PartnerSearch,
    Partnership,
    ProgressReport,
    Region,
    ReportFigure,
    TargetGroup,
    Theme,
)

from . import read_model
from .models import JoinRequest, Programme, Publication, PublicState, ReportPublication
from .tasks import rebuild_public_files_soon

log = logging.getLogger(__name__)

CACHE_KEY = "publishing:public-state"  # queries.public_state()


def public_change(*, entry=None, entries=()) -> None:
    """Something public changed (about `entry` or `entries`, entries or their ids, when
    given): their rows in the read model are made what the source tables say, and the
    public version moves — in the current transaction."""
    ids = {getattr(e, "pk", e) for e in (entry, *entries) if e is not None}
    # One row, moved to the database's clock as it is now (not the transaction's start);
    # its row lock makes concurrent changes take turns (the read model's rows and the
    # vocabulary's counts are written by one change at a time), so the time only moves
    # forward in the order they commit. The cached copy is forgotten once the change is
    # visible.
    now = Func(function="clock_timestamp", output_field=DateTimeField())
    updated = PublicState.objects.filter(pk=1).update(changed_at=Greatest(F("changed_at"), now))
    if not updated:
        PublicState.objects.get_or_create(pk=1, defaults={"changed_at": now})
    taken_down: set[int] = set()
    if ids:
        # A pledge's row counts the published pledges that took up its challenge.
        ids |= set(
            Entry.objects.filter(pk__in=ids, challenge_of__isnull=False).values_list(
                "challenge_of_id", flat=True
            )
        )
        public, taken_down = read_model.write(ids)
        # When each was last seen public (its page then says "no longer published").
        if public | taken_down:
            Publication.objects.filter(entry_id__in=public | taken_down).update(
                last_public_at=Now()
            )
    cache.delete(CACHE_KEY)  # this process, at once …
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))  # … and once others can see it
    # The open-data files and programme PDFs follow within PUBLIC_FILES_REBUILD_SECONDS,
    # or at once when an entry was taken down (withdrawn, consent withdrawn, unpublished).
    rebuild_public_files_soon(at_once=bool(taken_down))


# --- What the public sees, and what a change of it causes -----------------------------------

EVERY_PAGE = None  # names and texts many pages show: a new public version, no row changes


def _entry(instance):
    return [instance.entry_id]


def _report(instance):
    return [instance.report.entry_id]


def _organisation(organisation, *, by=None):
    """An organisation described anew by staff: a staff correction of the entries it
    leads or takes part in (a new version, public at once where nothing waits for
    moderation)."""
    from .services import staff_corrected

    if organisation.pk is None:
        # Deleted: entries and partnerships protect an organisation they name, so none did.
        return set()
    entries = set(organisation.led_entries.values_list("pk", flat=True)) | set(
        Partnership.objects.filter(organisation=organisation).values_list("entry_id", flat=True)
    )
    staff_corrected(entries, by=by)
    return entries


# Every model whose fields the public sees, with the entries a change of one of its rows
# concerns (EVERY_PAGE: no row of the read model, only the pages). Translations (parler)
# follow their model. An entry's own rows change through the services of submissions and
# publishing, which call public_change() themselves; they are here for the admin.
PUBLIC_MODELS = {
    Entry: lambda entry: [entry.pk],
    EntryVersion: _entry,
    Publication: _entry,
    Partnership: _entry,
    PartnerSearch: _entry,
    Organisation: _organisation,
    ProgressReport: _entry,
    ReportPublication: _report,
    ReportFigure: _report,
    Decision: _entry,
    Award: _entry,
    Campaign: EVERY_PAGE,
    Theme: EVERY_PAGE,
    TargetGroup: EVERY_PAGE,
    Municipality: EVERY_PAGE,
    Region: EVERY_PAGE,
    AwardCategory: EVERY_PAGE,
    Indicator: EVERY_PAGE,
    Programme: EVERY_PAGE,
    # Counted by state on the statistics page and in the open data (cooperation in figures).
    JoinRequest: EVERY_PAGE,
}


def _is_translation(model) -> bool:
    return getattr(model, "_parler_meta", None) is None and hasattr(model, "master")


def public_model(model):
    """The model as PUBLIC_MODELS names it: a proxy's concrete model, a translation's
    (parler) translated model."""
    model = model._meta.concrete_model
    if _is_translation(model):
        return model._meta.get_field("master").related_model
    return model


def model_changed(*instances, by=None) -> bool:
    """Rows of models the public sees were saved or deleted (by `by`, a staff member,
    when given): what follows, as PUBLIC_MODELS says, in one public change. Returns
    whether any of them was a public model."""
    entries, public = set(), False
    for instance in instances:
        model = public_model(type(instance))
        if _is_translation(type(instance)):
            instance = instance.master
        if model not in PUBLIC_MODELS:
            continue
        public = True
        concerns = PUBLIC_MODELS[model]
        if concerns is _organisation:
            entries |= _organisation(instance, by=by)
        elif concerns is not EVERY_PAGE:
            entries |= set(concerns(instance))
    if public:
        public_change(entries=entries)
    return public
