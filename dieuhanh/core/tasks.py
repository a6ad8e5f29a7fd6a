import socket

from celery import shared_task

from dieuhanh.core.services import record_heartbeat


@shared_task(bind=True, ignore_result=True)
def heartbeat(self) -> str:
    """Scheduled by beat: proves that the broker, beat and a worker are alive."""
    hostname = self.request.hostname or socket.gethostname()
    record_heartbeat(hostname)
    return hostname


@shared_task(ignore_result=True)
def email_notifications() -> int:
    """Email the inbox notices not emailed yet (queued after each commit, and scheduled)."""
    from dieuhanh.core.notifications import send_pending_emails

    return send_pending_emails()
