"""Headers Django 5.2 does not set by itself."""
from django.conf import settings


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
