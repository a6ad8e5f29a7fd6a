import time

from django.core.management import BaseCommand

from dieuhanh.quality.rules import load_reference_rules


class Command(BaseCommand):
    help = (
        "Load the reference validation rules and their groups. Idempotent: rules already "
        "present (and perhaps changed by the center) are left as they are."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = load_reference_rules()
        self.stdout.write(
            f"  validation rules: {report['rules']} added, {report['groups']} groups added "
            f"({time.perf_counter() - started:.1f} s)"
        )
