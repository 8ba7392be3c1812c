"""The one door to the public side for code that must not import publishing: the
shared layer (the admin's saves and deletions, kotolupaus.admin_base.AdminBase)
and the apps before publishing (review's decisions and prizes).

Publishing registers publishing.changes.model_changed here when it starts
(publishing/apps.py); it looks the model up in publishing.changes.PUBLIC_MODELS, the list
of every model the public sees with the change it causes, and makes that change in the
current transaction. Without publishing nothing is public, so nothing follows.
"""

from collections.abc import Callable

_model_changed: Callable | None = None


def register(function: Callable) -> None:
    global _model_changed
    _model_changed = function


def model_changed(*instances, by=None) -> bool:
    """Rows were saved or deleted (by `by`, a staff member, when given): whatever the
    public sees of them follows. Returns whether any of them is seen by the public."""
    if _model_changed is None:
        return False
    return _model_changed(*instances, by=by)
