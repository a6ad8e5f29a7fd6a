import socket

from celery import shared_task

from dieuhanh.core.services import record_heartbeat


@shared_task(bind=True, ignore_result=True)
def heartbeat(self) -> str:
    """Scheduled by beat: proves that the broker, beat and a worker are alive."""
    hostname = self.request.hostname or socket.gethostname()
    record_heartbeat(hostname)
    return hostname
