from django.conf import settings
from django.core.management import BaseCommand, CommandError

from dieuhanh.targets.demo import load_demo_targets


class Command(BaseCommand):
    help = "The demo plan's targets for 2026 (demo mode only). Idempotent."

    def handle(self, *args, **options):
        if not settings.DIEUHANH_DEMO:
            raise CommandError("Demo targets are only loaded in demo mode (DIEUHANH_DEMO=1).")
        self.stdout.write(f"  chỉ tiêu kế hoạch: {load_demo_targets()} mới")
