"""The monthly summary for the Government's regular meeting: the tasks assigned in the
month, where all the year's tasks stand at the month's end (the four counts and rates),
the agencies' league table, and the key tasks overdue. Built once as data, written as .docx
(what Vietnamese offices exchange) or .xlsx; the page shows the same content."""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dieuhanh.core.templatetags.dieuhanh import percent, vn_number
from dieuhanh.directives import stats
from dieuhanh.directives.filters import TaskFilter
from dieuhanh.directives.models import Task
from dieuhanh.directives.status import TaskStatus, status_filter

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
OVERDUE_LISTED = 100


@dataclass
class Summary:
    month: datetime.date  # its first day
    as_of: datetime.date  # the month's last day, or today for the current month
    assigned: stats.Row  # tasks assigned in the month
    year: stats.Row  # the year's tasks at the month's end
    league: list[stats.Row]
    overdue_key: list[Task]
    overdue_key_count: int

    @property
    def title(self) -> str:
        return _("Tasks assigned by the Government and the Prime Minister: month %(m)02d/%(y)d") % {
            "m": self.month.month,
            "y": self.month.year,
        }


def months_before(first: datetime.date, n: int) -> datetime.date:
    """The first day of the month ``n`` months before the month of ``first``."""
    index = first.year * 12 + first.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(first: datetime.date) -> datetime.date:
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def build(user, first: datetime.date) -> Summary:
    first = first.replace(day=1)
    as_of = min(month_end(first), timezone.localdate())
    in_month = TaskFilter(assigned_from=first, assigned_to=month_end(first))
    in_year = TaskFilter(assigned_from=first.replace(month=1), assigned_to=as_of)
    assigned = stats.statistics(user, by="kind", filters=in_month, today=as_of).total
    league = stats.statistics(user, by="lead", filters=in_year, today=as_of)
    overdue = (
        in_year.apply(Task.objects.restrict(user, "view"), as_of)
        .filter(is_key=True)
        .filter(status_filter([TaskStatus.OVERDUE], as_of))
        .select_related("document", "lead")
        .order_by("deadline", "id")
    )
    return Summary(
        month=first,
        as_of=as_of,
        assigned=assigned,
        year=league.total,
        league=league.rows,
        overdue_key=list(overdue[:OVERDUE_LISTED]),
        overdue_key_count=overdue.count(),
    )


def _counts_lines(summary: Summary) -> list[tuple[str, str]]:
    year = summary.year
    return [
        (_("Tasks assigned in the month"), vn_number(summary.assigned.total)),
        (_("of which key tasks"), vn_number(summary.assigned.key_total)),
        (_("Tasks of the year so far"), vn_number(year.total)),
        (_("Done on time"), vn_number(year.done_on_time)),
        (_("Done late"), vn_number(year.done_late)),
        (_("In progress within the deadline"), vn_number(year.in_progress)),
        (_("Overdue"), vn_number(year.overdue)),
        (_("Key tasks overdue"), vn_number(year.key_overdue)),
        (_("On-time rate"), percent(year.on_time_rate)),
        (_("Completion rate"), percent(year.completion_rate)),
    ]


LEAGUE_COLUMNS = (
    gettext_lazy("Lead agency"),
    gettext_lazy("Tasks"),
    gettext_lazy("Done on time"),
    gettext_lazy("Done late"),
    gettext_lazy("In progress within the deadline"),
    gettext_lazy("Overdue"),
    gettext_lazy("On-time rate"),
    gettext_lazy("Status"),
)


def _league_row(row: stats.Row) -> list[str]:
    return [
        row.label,
        vn_number(row.total),
        vn_number(row.done_on_time),
        vn_number(row.done_late),
        vn_number(row.in_progress),
        vn_number(row.overdue),
        percent(row.on_time_rate),
        row.rag_label,
    ]


def _overdue_row(task: Task, as_of: datetime.date) -> list[str]:
    return [
        task.document.number,
        task.content,
        task.lead.name,
        task.deadline.strftime("%d/%m/%Y"),
        vn_number((as_of - task.deadline).days),
    ]


OVERDUE_COLUMNS = (
    gettext_lazy("Document"),
    gettext_lazy("Task"),
    gettext_lazy("Lead agency"),
    pgettext_lazy("task", "Deadline"),
    gettext_lazy("Days overdue"),
)


def as_docx(summary: Summary):
    from docx import Document as WordDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = WordDocument()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(summary.title.upper())
    run.bold = True
    note = document.add_paragraph(
        _("Figures as of %(date)s.") % {"date": summary.as_of.strftime("%d/%m/%Y")}
    )
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(_("I. Overall situation"), style="Heading 2")
    for label, value in _counts_lines(summary):
        document.add_paragraph(f"{label}: {value}", style="List Bullet")
    document.add_paragraph(_("II. By lead agency"), style="Heading 2")
    _docx_table(document, LEAGUE_COLUMNS, [_league_row(row) for row in summary.league])
    document.add_paragraph(_("III. Key tasks overdue"), style="Heading 2")
    if summary.overdue_key:
        _docx_table(
            document,
            OVERDUE_COLUMNS,
            [_overdue_row(task, summary.as_of) for task in summary.overdue_key],
        )
        if summary.overdue_key_count > len(summary.overdue_key):
            document.add_paragraph(
                _("and %(n)d more (see the system).")
                % {"n": summary.overdue_key_count - len(summary.overdue_key)}
            )
    else:
        document.add_paragraph(_("No key task is overdue."))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
    document.save(handle)
    handle.seek(0)
    return handle


def _docx_table(document, columns, rows) -> None:
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = str(text)


def as_xlsx(summary: Summary):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Summary")[:31]
    sheet.append([summary.title])
    sheet["A1"].font = bold
    sheet.append([_("Figures as of %(date)s.") % {"date": summary.as_of.strftime("%d/%m/%Y")}])
    sheet.append([])
    for label, value in _counts_lines(summary):
        sheet.append([label, value])
    sheet.column_dimensions["A"].width = 45
    league = workbook.create_sheet(_("By lead agency")[:31])
    league.append([str(name) for name in LEAGUE_COLUMNS])
    for row in summary.league:
        league.append(
            [
                row.label,
                row.total,
                row.done_on_time,
                row.done_late,
                row.in_progress,
                row.overdue,
                None if row.on_time_rate is None else round(row.on_time_rate * 100, 1),
                row.rag_label,
            ]
        )
    overdue = workbook.create_sheet(_("Key tasks overdue")[:31])
    overdue.append([str(name) for name in OVERDUE_COLUMNS])
    for task in summary.overdue_key:
        overdue.append(
            [
                task.document.number,
                task.content,
                task.lead.name,
                task.deadline,
                (summary.as_of - task.deadline).days,
            ]
        )
    for worksheet in (league, overdue):
        for cell in worksheet[1]:
            cell.font = bold
        worksheet.freeze_panes = "A2"
        worksheet.column_dimensions["A"].width = 40
        worksheet.column_dimensions["B"].width = 50
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
    workbook.save(handle)
    handle.seek(0)
    return handle
