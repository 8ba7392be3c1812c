"""The entry behind a private management link, and the page for a link that no longer
works: for the pages of the later apps behind the same link (publishing.cooperation),
which may not import submissions' views (tests/test_architecture.py). The functions
stay where the management page defines them (submissions/views/private_links.py)."""

from .views.private_links import _dead_link as dead_link
from .views.private_links import _entry_for_token as entry_for_token
from .views.private_links import _private_gone as private_gone

__all__ = ["dead_link", "entry_for_token", "private_gone"]
