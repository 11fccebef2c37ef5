"""Reads remembered for one request only: the benchmark tables (England, a region, an LA's published figures) a
page asks for several times with different measures. Nothing outlives the request, so there is nothing to
invalidate across processes; outside a request (commands, tests calling selectors) every call reads afresh."""

from __future__ import annotations

import threading

_local = threading.local()


def start(**_kwargs) -> None:
    _local.memo = {}


def finish(**_kwargs) -> None:
    _local.memo = None


def clear() -> None:
    """A write in this request (an import, a rollback): read afresh from here on."""
    if getattr(_local, "memo", None) is not None:
        _local.memo = {}


def remember(key, compute):
    memo = getattr(_local, "memo", None)
    if memo is None:
        return None
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def keep(key, value) -> None:
    """Keep ``value`` under ``key`` for the rest of this request (replacing what was there); outside a request,
    nothing."""
    memo = getattr(_local, "memo", None)
    if memo is not None:
        memo[key] = value


def active() -> bool:
    """Whether reads are remembered here (inside a request)."""
    return getattr(_local, "memo", None) is not None


def recall(key):
    """What ``remember`` kept under ``key`` in this request, or None (nothing read yet, or outside a request)."""
    memo = getattr(_local, "memo", None)
    return None if memo is None else memo.get(key)


def connect() -> None:
    from django.core.signals import request_finished, request_started

    request_started.connect(start, dispatch_uid="request_memo_start")
    request_finished.connect(finish, dispatch_uid="request_memo_finish")
