"""The staff review workspace, served inside the admin panel: the reviewer's queue and
scoring form, the coordinator's ranking, decisions, assignments, prizes, dashboard and
staff accounts — one module each; shared helpers in common.py."""

from .assignments import assignments_csv, auto_assign
from .dashboard import dashboard
from .prizes import vote
from .ranking import decide, lock, publish_decisions, ranking_view, reviews_export
from .scoring import queue, score
from .staff import backup_codes, end_sessions, staff, unlock_login

__all__ = [
    "assignments_csv",
    "auto_assign",
    "backup_codes",
    "dashboard",
    "decide",
    "end_sessions",
    "lock",
    "publish_decisions",
    "queue",
    "ranking_view",
    "reviews_export",
    "score",
    "staff",
    "unlock_login",
    "vote",
]
