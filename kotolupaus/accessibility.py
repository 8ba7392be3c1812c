"""What the accessibility statement (templates/pages/accessibility.html) says is not yet
accessible, with the reason, and when the statement was last brought up to date.

Act 306/2019 (section 15) asks the statement to list the content that is not
accessible and why, and to be kept up to date. Two tests keep it true:
`tests/test_accessibility_statement.py` fails when the automated checks of the browser
tests leave something out (`tests/browser/exclusions.py`) that no known issue here
names, or when a known issue names an exclusion that no longer exists; and when the
issues or the statement's template change without a new UPDATED date (the digest).
"""

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

# The day the statement was last reviewed and brought up to date, and the digest of what
# it said then (see statement_digest()): change both when the statement changes.
UPDATED = datetime.date(2026, 12, 7)
PREPARED = datetime.date(2026, 11, 28)
DIGEST = "a06b594952a0da87"


@dataclass(frozen=True)
class KnownIssue:
    key: str
    what: str | Promise  # translated when shown
    why: str | Promise
    criteria: tuple[str, ...] = ()
    # The key of the automated checks' exclusion this issue explains
    # (tests/browser/exclusions.py NOT_CHECKED), if the checks leave it out.
    not_checked: str = ""


KNOWN_ISSUES = [
    KnownIssue(
        "admin-lists",
        _(
            "The lists of the administration panel that ministry staff use (for example "
            "the list of e-mail messages) are the Django framework's own pages: their "
            "filter links and the path links above them do not say clearly where they "
            "lead, and these lists are not checked automatically."
        ),
        _(
            "The lists come from the framework the service is built on. We are replacing "
            "them with the staff pages of the service itself, which are checked."
        ),
        criteria=("1.3.1", "2.4.4"),
        not_checked="admin-changelists",
    ),
    KnownIssue(
        "entry-images",
        _(
            "Images that organisations add to their pledges and initiatives have no text "
            "alternative; the pledge or initiative's own text says what it is about."
        ),
        _(
            "The form does not ask the organisation to describe its image. A field for "
            "the description will be added to the form."
        ),
        criteria=("1.1.1",),
    ),
    KnownIssue(
        "entry-texts",
        _(
            "The texts of pledges, initiatives and progress reports are written by the "
            "organisations. They may not be in plain language, and they are shown in the "
            "language they were written in until the ministry's staff translate them; "
            "that language is marked for assistive technology."
        ),
        _(
            "The ministry publishes the organisations' own words and does not edit them "
            "beyond moderation."
        ),
        criteria=("3.1.5",),
    ),
]


def statement_digest():
    """A digest of what the statement says: the known issues (their msgids) and the
    statement's template. When it changes, UPDATED (and DIGEST) must change too."""
    template = Path(__file__).resolve().parents[1] / "templates" / "pages" / "accessibility.html"
    parts = [template.read_text(encoding="utf-8")]
    with override(None):  # the msgids, whatever the catalogues say
        for issue in KNOWN_ISSUES:
            parts += [issue.key, str(issue.what), str(issue.why), issue.not_checked]
            parts += list(issue.criteria)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
