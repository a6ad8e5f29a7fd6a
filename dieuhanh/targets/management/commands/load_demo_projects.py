from django.conf import settings
from django.core.management import BaseCommand, CommandError

from dieuhanh.targets.demo import load_demo


class Command(BaseCommand):
    help = "The demo's programmes and projects (demo mode only). Idempotent."

    def handle(self, *args, **options):
        if not settings.DIEUHANH_DEMO:
            raise CommandError("Demo projects are only loaded in demo mode (DIEUHANH_DEMO=1).")
        self.stdout.write(f"  chương trình, dự án: {load_demo()} mới")
