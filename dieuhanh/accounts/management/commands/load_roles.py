from django.core.management import BaseCommand

from dieuhanh.accounts.roles import ensure_roles
from dieuhanh.core.audit import audit_channel


class Command(BaseCommand):
    help = "Create the standard roles with their default permissions. Idempotent."

    def handle(self, *args, **options):
        with audit_channel("command"):
            report = ensure_roles()
        self.stdout.write(
            f"  roles: {report['created']} created, {report['permissions_added']} default "
            "permissions granted"
        )
