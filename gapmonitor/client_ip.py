"""The client's address, as django-axes counts sign-in failures by it (``AXES_CLIENT_IP_CALLABLE``).

Behind a reverse proxy every request comes from the proxy's address, so everyone would share one lock-out.
``GAPMONITOR_TRUSTED_PROXIES`` is the number of proxies in front of the site that append the address they
saw to ``X-Forwarded-For`` (nginx ``$proxy_add_x_forwarded_for``, most load balancers). With N proxies the
client is the N-th address from the right: entries further left were written by the client and can be
forged, so they are never read. With 0 (the default) the header is ignored and ``REMOTE_ADDR`` is used.
"""

from __future__ import annotations

import ipaddress

from gapmonitor.conf import conf


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = conf.trusted_proxies
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Fewer hops than proxies: the request did not come through all of them; trust nothing it says.
        return remote
    return _valid(forwarded[-proxies]) or remote
