from django.conf import settings
from django.core.management import BaseCommand, CommandError

from dieuhanh.accounts.demo import DEMO_PASSWORD
from dieuhanh.accounts.services import ensure_demo_users


class Command(BaseCommand):
    help = "Create the demo users (only in demo mode, DIEUHANH_DEMO=1). Idempotent."

    def handle(self, *args, **options):
        if not settings.DIEUHANH_DEMO:
            raise CommandError(
                "Demo users are only created in demo mode (set DIEUHANH_DEMO=1); "
                "they have a published password."
            )
        for user, created in ensure_demo_users():
            state = "created" if created else "exists"
            self.stdout.write(f"  {user.username} ({user.get_full_name()}): {state}")
        self.stdout.write(f"  demo password: {DEMO_PASSWORD}")
