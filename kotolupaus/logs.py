"""Logs: one JSON object per line (LOG_FORMAT=json) for log collectors, and private
links masked in every line.

A private link's token (management, edit, partner, draft, confirmation, kept image,
"stop reminding me") opens contact data to whoever holds it, so it never reaches a log:
`MaskPrivateLinks` replaces it with `[private]` in the message and its arguments, in
tracebacks, in any extra value and in the request path the JSON lines carry — whether a
path is written with slashes or percent-encoded (`?next=%2Ffi%2Fmanage%2F…`). The filter
sits on every handler: those of the LOGGING setting, Django's own (its request and
server loggers are sent to them) and, when the app is loaded, any other handler already
set up in the process (gunicorn's error and access logs).
"""

import json
import logging
import re
from datetime import UTC, datetime

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


class JSONFormatter(logging.Formatter):
    RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["path"] = mask(request.path)
            entry["method"] = request.method
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        for key, value in record.__dict__.items():
            if key not in self.RESERVED and key not in ("request", "status_code"):
                entry[key] = (
                    value if isinstance(value, str | int | float | bool | None) else str(value)
                )
        if record.exc_info:
            entry["exception"] = mask(record.exc_text or self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
