"""Files built in the background and served as files: the open data (entries as JSON
and CSV, progress reports as CSV, in each language, each also gzipped) and the
cooperation programme as PDF per campaign and language.

- Built by jobs (publishing/tasks.py) PUBLIC_FILES_REBUILD_SECONDS after a public change
  however many changes come meanwhile (at once when an entry is taken down), and hourly
  when they are older than the last public change; `manage.py build_public_files`
  builds them now. A file that does not exist yet (a new installation) is built by the
  request that asks for it.
- Written through Django's storage API (local disk, or S3 in production) under a new
  name each time; a PublicFile row then points at the new file in one transaction, so
  a reader always gets a whole file. The file it replaces is deleted as soon as that
  transaction commits — after a takedown the old files must not keep the entry — (a
  download already reading it on local disk finishes; a request that read the row just
  before is served the new file, publishing.views._serve).
- The open data is read in one snapshot of the database (REPEATABLE READ) by one
  streamed query (publishing/open_data.py) and written through temporary files; each
  file's size and SHA-256 (its ETag) are taken, and its gzip made, on a thread of their
  own while the text is being made: memory stays flat however many entries there are.
"""

import hashlib
import logging
import queue
import secrets
import threading
from contextlib import contextmanager, suppress
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.temp import NamedTemporaryFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import override
from zlib_ng import zlib_ng

from submissions.models import Campaign

from . import open_data
from .models import PublicFile, PublicState

log = logging.getLogger(__name__)

FOLDER = "public-files"
GZIP_LEVEL = 6
# Every file the open data is published as, in each language.
OPEN_DATA_NAMES = tuple(name + suffix for name in open_data.NAMES for suffix in ("", ".gz"))
# A build that dies half-way (a killed worker) leaves files no row points at; they are
# removed when they are this old (the hourly check).
LEFTOVER_AGE = timedelta(hours=1)


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def open_data_key(language, name) -> str:
    return f"open-data/{language}/{name}"


def pdf_key(campaign, language) -> str:
    return f"programme/{campaign.pk}/{language}.pdf"


def last_change():
    """The last public change as the database has it now (not the cached copy)."""
    return PublicState.objects.values_list("changed_at", flat=True).first()


def _includes(file_as_of, change) -> bool:
    """Whether a file made as of `file_as_of` includes the public change `change`."""
    return change is None or (file_as_of is not None and file_as_of >= change)


# --- Writing a file ------------------------------------------------------------------------


class Background:
    """Hashing, compressing and writing on a thread of their own (they release the GIL)
    while the build's thread makes the text; at most QUEUED blocks wait in between."""

    QUEUED = 8

    def __init__(self):
        self.queue = queue.Queue(maxsize=self.QUEUED)
        self.error = None
        self.thread = threading.Thread(target=self._run, name="public-files", daemon=True)
        self.thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and exc_info[0] is None:
            raise self.error

    def submit(self, work, *args) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((work, args))

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            work, args = item
            if self.error is None:
                try:
                    work(*args)
                except BaseException as error:  # handed to the build's thread
                    self.error = error


class Output:
    """A file being written to a temporary file (and, with gzip=True, its gzip to
    another): text is gathered up to a megabyte and encoded, then hashed, compressed
    and written in the background."""

    FLUSH_AT = 1 << 20

    def __init__(self, background, *, gzip=False):
        self.background = background
        self.plain = _Part()
        self.gzipped = _Part() if gzip else None
        self.compressor = zlib_ng.compressobj(GZIP_LEVEL, zlib_ng.DEFLATED, 31) if gzip else None
        self.pending = []
        self.pending_size = 0

    def write(self, text: str) -> None:
        self.pending.append(text)
        self.pending_size += len(text)
        if self.pending_size >= self.FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        data = "".join(self.pending).encode()
        self.pending, self.pending_size = [], 0
        self.background.submit(self._write, data)

    def finish(self) -> None:
        """Write what is left; the files are complete once the background is done."""
        self.flush()
        if self.compressor:
            self.background.submit(self._finish)

    def _write(self, data: bytes) -> None:
        self.plain.write(data)
        if self.compressor:
            self.gzipped.write(self.compressor.compress(data))

    def _finish(self) -> None:
        self.gzipped.write(self.compressor.flush())

    def close(self) -> None:
        for part in (self.plain, self.gzipped):
            if part is not None:
                part.close()


class _Part:
    """One temporary file with its size and SHA-256."""

    def __init__(self):
        self.file = NamedTemporaryFile(prefix="kotolupaus-", suffix=".part")
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        if data:
            self.file.write(data)
            self.hash.update(data)
            self.size += len(data)

    @property
    def etag(self) -> str:
        return self.hash.hexdigest()[:32]

    def close(self) -> None:
        with suppress(FileNotFoundError):  # the storage moved it into place
            self.file.close()


class _Moved(File):
    """A finished temporary file for the storage: the local disk storage moves it into
    place instead of copying it (as Django does with a large upload)."""

    def temporary_file_path(self):
        return self.file.name


def _store(part: _Part, key: str, token: str) -> str:
    """Save a finished part under a name of its own; returns the storage's name."""
    stem, dot, extension = key.rpartition("/")[2].partition(".")
    folder = key.rpartition("/")[0].replace("/", "-")
    name = f"{FOLDER}/{folder}-{stem}-{token}{dot}{extension}"
    part.file.flush()
    part.file.seek(0)
    return default_storage.save(name, _Moved(part.file, name=name))


def _token(moment) -> str:
    return f"{moment:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def _replace(new: dict, *, as_of, generated_at, source_hash="") -> bool:
    """Point the rows of `new` ({key: (name, size, etag)}) at the new files, unless a
    build that saw a later public change got there first. Returns whether they did."""
    obsolete = []
    with transaction.atomic():
        with connection.cursor() as cursor:  # one build replaces files at a time
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('kotolupaus-public-files'))")
        current = {f.key: f for f in PublicFile.objects.filter(key__in=new)}
        if as_of and any(f.as_of and f.as_of > as_of for f in current.values()):
            obsolete = [name for name, _size, _etag in new.values()]
            replaced = False
        else:
            for key, (name, size, etag) in new.items():
                row = current.get(key) or PublicFile(key=key)
                # The superseded file goes at once (and one kept by an older build).
                obsolete += [old for old in (row.previous_name, row.name) if old]
                row.previous_name = ""
                row.name, row.size, row.etag = name, size, etag
                row.generated_at, row.as_of, row.source_hash = generated_at, as_of, source_hash
                row.save()
            replaced = True
    transaction.on_commit(lambda: _delete(obsolete))
    return replaced


def _delete(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # already gone; the hourly check removes what is left
            log.warning("could not remove %s", name)


@contextmanager
def _snapshot():
    """One consistent view of the database for a whole build: a read-only REPEATABLE
    READ transaction (or the transaction already open, e.g. in a test)."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


# --- The open data -------------------------------------------------------------------------


def open_data_up_to_date(as_of) -> bool:
    rows = list(
        PublicFile.objects.filter(key__startswith="open-data/").values_list("as_of", flat=True)
    )
    expected = len(languages()) * len(OPEN_DATA_NAMES)
    return len(rows) == expected and all(_includes(row, as_of) for row in rows)


def build_open_data(*, force=False) -> int | None:
    """Write every language's open-data files anew, unless they already include the
    last public change (or force). Returns the number of entries, None when skipped."""
    if not force and open_data_up_to_date(last_change()):
        return None
    generated_at = timezone.now()
    outputs = {}
    try:
        with Background() as background:
            outputs = {
                language: {name: Output(background, gzip=True) for name in open_data.NAMES}
                for language in languages()
            }
            with _snapshot():
                as_of = last_change()
                count = open_data.write(outputs, generated_at)
            for files in outputs.values():
                for output in files.values():
                    output.finish()
        token = _token(generated_at)
        new = {}
        try:
            for language, files in outputs.items():
                for name, output in files.items():
                    for part, suffix in ((output.plain, ""), (output.gzipped, ".gz")):
                        key = open_data_key(language, name + suffix)
                        new[key] = (_store(part, key, token), part.size, part.etag)
            _replace(new, as_of=as_of, generated_at=generated_at)
        except BaseException:  # nothing points at what was stored: remove it
            _delete(name for name, _size, _etag in new.values())
            raise
    finally:
        for files in outputs.values():
            for output in files.values():
                output.close()
    log.info("open data: %s entries written", count)
    return count


def open_data_file(language, name) -> PublicFile | None:
    """The open-data file to serve (None for a name there is no such file of); built
    here if it does not exist yet."""
    if name not in OPEN_DATA_NAMES:
        return None
    key = open_data_key(language, name)
    found = PublicFile.objects.filter(key=key).first()
    if found is None:
        build_open_data(force=True)
        found = PublicFile.objects.get(key=key)
    return found


def open_data_files(language) -> dict:
    """{name: PublicFile} of the language's open-data files that exist."""
    prefix = open_data_key(language, "")
    return {
        f.key.removeprefix(prefix): f for f in PublicFile.objects.filter(key__startswith=prefix)
    }


# --- The programme PDF ---------------------------------------------------------------------


def build_programme_pdf(campaign, language, *, force=False) -> PublicFile:
    """The campaign's programme as PDF in `language`, rendered again only when it may
    have changed: after a public change its HTML is compared with the last one's, and
    WeasyPrint runs (seconds) only when they differ."""
    from .pdf import pdf_from_html, programme_html
    from .programme import programme_context

    as_of = last_change()
    key = pdf_key(campaign, language)
    current = PublicFile.objects.filter(key=key).first()
    if current and not force and _includes(current.as_of, as_of):
        return current
    with override(language):
        html = programme_html(programme_context(campaign), language)
    source_hash = hashlib.sha256(html.encode()).hexdigest()
    if current and not force and current.source_hash == source_hash:
        PublicFile.objects.filter(pk=current.pk).update(as_of=as_of)
        return current
    generated_at = timezone.now()
    part = _Part()
    try:
        with override(language):
            part.write(pdf_from_html(html, f"kotolupaus-{campaign.slug}-{language}"))
        name = _store(part, key, _token(generated_at))
        _replace(
            {key: (name, part.size, part.etag)},
            as_of=as_of,
            generated_at=generated_at,
            source_hash=source_hash,
        )
    finally:
        part.close()
    return PublicFile.objects.get(key=key)


def build_programme_pdfs(*, force=False, only_existing=False) -> int:
    """Every campaign's programme PDF in every language, each only when its content
    changed (or force); with only_existing, only those built before (a PDF nobody asked
    for is not rendered: the first request for it does that). Returns how many were
    rendered."""
    existing = dict(
        PublicFile.objects.filter(key__startswith="programme/").values_list("key", "name")
    )
    rendered = 0
    for campaign in Campaign.objects.all():
        for language in languages():
            key = pdf_key(campaign, language)
            if only_existing and key not in existing:
                continue
            after = build_programme_pdf(campaign, language, force=force)
            rendered += after.name != existing.get(key)
    return rendered


def programme_pdf(campaign, language) -> PublicFile:
    """The PDF to serve; rendered here if it does not exist yet."""
    found = PublicFile.objects.filter(key=pdf_key(campaign, language)).first()
    return found or build_programme_pdf(campaign, language, force=True)


# --- Leftovers and losses ------------------------------------------------------------------


def forget_missing() -> int:
    """Rows whose file is gone from the storage (a restored database, an emptied media
    folder) are dropped, so that the next build or request makes the file again."""
    missing = [
        row.pk
        for row in PublicFile.objects.only("pk", "name")
        if not default_storage.exists(row.name)
    ]
    PublicFile.objects.filter(pk__in=missing).delete()
    return len(missing)


def remove_leftovers(now=None) -> int:
    """Files of builds that died half-way: in the folder, no row points at them, and
    older than LEFTOVER_AGE."""
    now = now or timezone.now()
    try:
        _folders, names = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    kept: set[str] = set()
    for name, previous in PublicFile.objects.values_list("name", "previous_name"):
        kept.update((name, previous))
    removed = 0
    for base in names:
        name = f"{FOLDER}/{base}"
        if name in kept or now - default_storage.get_modified_time(name) < LEFTOVER_AGE:
            continue
        default_storage.delete(name)
        removed += 1
    return removed
