"""The DHIS2-compatible paths, optionally versioned (/api/40/dataValueSets) as DHIS2
clients call them. Outside /api/v1/: they answer in DHIS2's shapes, not ours."""

from django.urls import re_path

from dieuhanh.datavalues import dhis2

app_name = "dhis2"

urlpatterns = [
    re_path(
        r"^(?:\d{2}/)?dataValueSets(?P<suffix>\.json|\.csv)?$",
        dhis2.data_value_sets,
        name="datavaluesets",
    ),
    re_path(
        r"^(?:\d{2}/)?system/tasks/(?P<job_type>\w+)/(?P<uid>\w+)$",
        dhis2.task_status,
        name="task",
    ),
    re_path(
        r"^(?:\d{2}/)?system/taskSummaries/(?P<job_type>\w+)/(?P<uid>\w+)$",
        dhis2.task_summary,
        name="task_summary",
    ),
]
