"""What the structure tells other modules, inside the transaction of the change.

``structure_changing`` is sent just before the closure rows of ``unit_ids`` (the units
whose ancestors may change) are replaced, while their former ancestors can still be read;
``structure_changed`` once the closure was rebuilt, with the same ``unit_ids`` (None: every
unit, the whole closure rebuilt). The analytics module brings its rollups up to date from
them.
"""

from django.dispatch import Signal

structure_changing = Signal()
structure_changed = Signal()
