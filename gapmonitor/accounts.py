"""Password reset by email with Django's own views (``django.contrib.auth.views``).

The only change: setting a new password through an emailed link also lifts any sign-in pause (django-axes)
on that username, so a user locked out by mistyping, or by a stranger sharing their address, can get back
in without an administrator. The link proves they control the account's email address.
"""

from axes.utils import reset as reset_sign_in_failures
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        reset_sign_in_failures(username=self.user.get_username())
        return response


urlpatterns = [
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
