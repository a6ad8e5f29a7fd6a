import time

from django.core.management import BaseCommand

from dieuhanh.orgunits.loader import load_reference_orgunits


class Command(BaseCommand):
    help = (
        "Load the reference organisation units (Government, ministries, provinces, districts, "
        "communes before and after the 2025 reform, state-owned groups, groups). Idempotent."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = load_reference_orgunits()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"  organisation units: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged; links: {report.edges_created} created, "
            f"{report.edges_updated} updated; successions: {report.successions_created} "
            f"created; group memberships: {report.memberships_added} added; "
            f"closure rows: {report.closure_rows} ({seconds:.1f} s)"
        )
