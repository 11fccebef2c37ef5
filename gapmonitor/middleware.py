"""Headers Django 5.2 does not set by itself."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy (no inline script) to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class NoStoreWhenSignedInMiddleware:
    """``Cache-Control: no-store`` (and ``private``) on every response to a signed-in user — pages, exports,
    chart data — so pupil figures are never kept by the browser's or a shared cache, and the back button
    after signing out shows nothing. Responses to visitors who are not signed in are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
