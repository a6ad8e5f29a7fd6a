from django.conf import settings
from django.core.management import BaseCommand, CommandError

from dieuhanh.dashboards.demo import load_demo


class Command(BaseCommand):
    help = "The demo's alert thresholds and a shared dashboard (demo mode only). Idempotent."

    def handle(self, *args, **options):
        if not settings.DIEUHANH_DEMO:
            raise CommandError("Demo dashboards are only loaded in demo mode (DIEUHANH_DEMO=1).")
        made = load_demo()
        self.stdout.write(
            f"  bảng điều hành: {made['dashboards']} bảng mẫu, {made['thresholds']} ngưỡng cảnh báo"
        )
