"""What the data-value store tells other modules.

``values_imported`` is sent once an import job has written its values (not for a dry run
or a rolled-back import), with the job and the (unit id, period code) of the reports it
wrote to: the quality module checks them against its validation rules.
"""

from django.dispatch import Signal

values_imported = Signal()
