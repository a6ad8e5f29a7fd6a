from django.conf import settings
from django.core.management import BaseCommand, CommandError

from dieuhanh.directives.demo import load_demo


class Command(BaseCommand):
    help = "The demo's directive documents and tasks (demo mode only). Idempotent."

    def handle(self, *args, **options):
        if not settings.DIEUHANH_DEMO:
            raise CommandError("Demo tasks are only loaded in demo mode (DIEUHANH_DEMO=1).")
        made = load_demo()
        self.stdout.write(f"  nhiệm vụ: {made['documents']} văn bản, {made['tasks']} nhiệm vụ")
