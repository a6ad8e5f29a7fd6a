"""Bring the analytics rollups up to date (``--rebuild``: from scratch)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dieuhanh.analytics import maintenance


class Command(BaseCommand):
    help = "Bring the analytics rollups up to date with every value stored."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild every rollup")

    def handle(self, *args, rebuild: bool = False, **options):
        result = maintenance.refresh(force_rebuild=rebuild)
        self.stdout.write(
            _("analytics: %(cells)s cells, %(rows)s rollup rows in %(seconds).1f s")
            % {"cells": result.cells, "rows": result.rows, "seconds": result.seconds}
        )
