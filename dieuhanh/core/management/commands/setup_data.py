"""Load the reference data (and with --demo the demo data) of every installed app.

Apps declare their loaders on their AppConfig, in dependency order of INSTALLED_APPS:
``reference_data_commands = ("load_orgunits",)`` and ``demo_data_commands = (...)``.
Every loader is idempotent, so this command may run at every start.
"""

from django.apps import apps
from django.core.management import BaseCommand, call_command


class Command(BaseCommand):
    help = "Load reference data, and demo data with --demo, for every installed app."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="also load the demo data set")

    def handle(self, *args, demo: bool = False, **options):
        kinds = ["reference_data_commands"] + (["demo_data_commands"] if demo else [])
        for kind in kinds:
            for config in apps.get_app_configs():
                for command in getattr(config, kind, ()):
                    self.stdout.write(f"{config.label}: {command}")
                    call_command(command, stdout=self.stdout, stderr=self.stderr)
