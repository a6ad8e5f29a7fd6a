"""Sign-ins, failures, sign-outs and lockouts go to the audit log."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from dieuhanh.core.audit import record_event


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    record_event("login", user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_event("logout", user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    user = get_user_model().objects.filter(username=username).first()
    record_event("login_failed", user, user_name=username, detail={"reason": "bad credentials"})


@receiver(user_locked_out)
def audit_locked_out(sender, request, username, ip_address, **kwargs):
    user = get_user_model().objects.filter(username=username).first()
    record_event("locked_out", user, user_name=username or "", detail={"ip": ip_address})
