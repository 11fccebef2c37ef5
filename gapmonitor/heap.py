"""A server process's heap, settled once the project is loaded (``gapmonitor.wsgi`` and ``gapmonitor.asgi``).

Python's cyclic garbage collector walks every tracked object in a full (generation 2) collection. A worker that
has imported Django, pandas and plotly holds ~200,000 such objects, which never die, and a page allocates enough
to set off a full collection every other request: 50–100 ms each on a 2-core machine (``bench``: the cluster RAG
board at LA size, 100 ms cold without one, 190–250 ms with). :func:`settle` loads what the first request would
(the URLconf, so every view and what it imports), collects once, and moves what is left to the collector's
permanent generation (``gc.freeze``, the Python documentation's advice for long-lived server processes), so
later collections walk only what requests create.
"""

import gc


def settle() -> None:
    """Load the URLconf (every view and what it imports), collect, and freeze what survives."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports every view module
    gc.collect()
    gc.freeze()
