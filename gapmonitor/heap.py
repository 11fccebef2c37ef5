"""A server process's heap, settled once the project is loaded (``gapmonitor.wsgi`` and ``gapmonitor.asgi``).

Python's cyclic garbage collector walks every tracked object in a full (generation 2) collection. A worker that
has imported Django, pandas and plotly holds ~200,000 such objects, which never die, and a page allocates enough
to set off a full collection every other request: 50–100 ms each on a 2-core machine (``bench``: the cluster RAG
board at LA size, 100 ms cold without one, 190–250 ms with). :func:`settle` loads what the first request would
(the URLconf, so every view and what it imports), collects once, and moves what is left to the collector's
permanent generation (``gc.freeze``, the Python documentation's advice for long-lived server processes), so
later collections walk only what requests create. It also collects the youngest generation every 10,000 new
objects rather than 700: a page makes ~100,000 (figures, rows, template nodes), all alive until it is written,
and at 700 the collector walked them ~140 times a request (3–5 ms of an LA page).
"""

import gc


def settle() -> None:
    """Load the URLconf (every view and what it imports), collect, freeze what survives, and collect the
    youngest generation every ``YOUNGEST`` new objects."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports every view module
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST, older, oldest)


YOUNGEST = 10_000  # new objects between collections of the youngest generation (Python's default: 700)
