import time

from django.core.management import BaseCommand

from dieuhanh.catalog.loader import load_reference_catalog


class Command(BaseCommand):
    help = (
        "Load the reference indicator catalog: indicators, units of measure, disaggregations, "
        "indicator groups and reporting regimes. Idempotent."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = load_reference_catalog()
        created = sum(len(codes) for codes in report.created.values())
        updated = sum(len(codes) for codes in report.updated.values())
        unchanged = sum(report.unchanged.values())
        self.stdout.write(
            f"  catalog: {created} created, {updated} updated, {unchanged} unchanged "
            f"({time.perf_counter() - started:.1f} s)"
        )
