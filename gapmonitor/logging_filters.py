"""Logs say that something failed and where, never whom it was about.

Exception messages and request data can carry pupil or staff details (a name in a ValueError, a UPN in an
IntegrityError, a query string such as ``?pupil=Jane+Doe``, a POSTed form). ``PersonalDataFilter`` sits on
every log handler and, for every record:

- drops the ``request`` attached by ``django.request`` (so no handler can print its GET/POST/COOKIES/META);
- cuts query strings from the message and its arguments (``/schools/?name=x`` → ``/schools/?…``);
- replaces the traceback by its frames (file, line, function) and the exception's *type* only: the
  message is withheld.
"""

from __future__ import annotations

import logging
import re
import traceback

QUERY = re.compile(r"\?[^\s\"'<>]*")
WITHHELD = "(message withheld: it may contain personal data)"


def strip_query(value):
    return QUERY.sub("?…", value) if isinstance(value, str) else value


def redacted_traceback(exc_info) -> str:
    exc_type, exc, tb = exc_info
    lines = ["Traceback (most recent call last):"]
    for frame in traceback.extract_tb(tb):
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
    name = getattr(exc_type, "__qualname__", str(exc_type))
    module = getattr(exc_type, "__module__", "")
    lines.append(f"{module + '.' if module not in ('builtins', '') else ''}{name}: {WITHHELD}")
    cause = getattr(exc, "__cause__", None) or getattr(exc, "__context__", None)
    if cause is not None:
        lines.append(f"(caused by {type(cause).__qualname__}: {WITHHELD})")
    return "\n".join(lines)


class PersonalDataFilter(logging.Filter):
    """Never drops a record; removes what could identify a person from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "personal_data_removed", False):
            return True  # already cleaned by another handler's filter
        record.personal_data_removed = True
        if isinstance(record.msg, BaseException):
            record.msg = f"{type(record.msg).__qualname__}: {WITHHELD}"
        if hasattr(record, "request"):
            record.request = None
        record.msg = strip_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(strip_query(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: strip_query(v) for k, v in record.args.items()}
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redacted_traceback(record.exc_info)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = "(traceback withheld: it may contain personal data)"
        return True
