"""Excel import of existing task lists: one row per task, with its document's columns
repeated. A dry run checks every row and lists each error by row and column; recording
writes all the good rows in one transaction (or nothing when any row is wrong), and a file
imported twice records each task once (the task's document, clause, lead and text)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dieuhanh.core.inputs import parse_date
from dieuhanh.datavalues import sheets
from dieuhanh.datavalues.sheets import ImportResult, Layout, RowError, run_import
from dieuhanh.directives import services, status
from dieuhanh.directives.models import Document, DocumentType, Recurrence, TaskKind

# Column header (as the template writes it) -> field; a few other spellings are accepted.
COLUMNS = {
    "Số, ký hiệu văn bản": "number",
    "Loại văn bản": "doc_type",
    "Ngày ban hành": "issued_on",
    "Người ký": "signer",
    "Cơ quan ban hành": "issuer",
    "Trích yếu": "excerpt",
    "Mục": "clause",
    "Nội dung nhiệm vụ": "content",
    "Loại nhiệm vụ": "kind",
    "Cơ quan chủ trì": "lead",
    "Cơ quan phối hợp": "coordinators",
    "Thời hạn": "deadline",
    "Định kỳ": "recurrence",
    "Nhiệm vụ trọng tâm": "is_key",
    "Sản phẩm dự kiến": "expected_product",
    "Chương trình, dự án": "projects",
    "Ngày hoàn thành": "completed_on",
    "Sản phẩm": "product",
}
ALIASES = {
    "số ký hiệu": "number",
    "số hiệu văn bản": "number",
    "số, ký hiệu": "number",
    "nhiệm vụ": "content",
    "chủ trì": "lead",
    "phối hợp": "coordinators",
    "hạn hoàn thành": "deadline",
    "trọng tâm": "is_key",
    "dự án": "projects",
    "chương trình": "projects",
}
REQUIRED = ("number", "issued_on", "content", "lead")
LAYOUT = Layout(COLUMNS, ALIASES, REQUIRED)
YES = {"x", "có", "co", "1", "yes", "true", "trọng tâm"}
DOC_TYPE_WORDS = {
    "nghị quyết": DocumentType.RESOLUTION,
    "quyết định": DocumentType.DECISION,
    "chỉ thị": DocumentType.DIRECTIVE,
    "công điện": DocumentType.TELEGRAM,
    "công văn": DocumentType.DISPATCH,
    "thông báo": DocumentType.CONCLUSION,
    "thông báo kết luận": DocumentType.CONCLUSION,
    "văn bản chỉ đạo": DocumentType.INSTRUCTION,
    "chương trình công tác": DocumentType.PROGRAMME,
}
SYMBOL_TYPES = {  # 42/NQ-CP -> resolution
    "NQ": DocumentType.RESOLUTION,
    "QĐ": DocumentType.DECISION,
    "CT": DocumentType.DIRECTIVE,
    "CĐ": DocumentType.TELEGRAM,
    "TB": DocumentType.CONCLUSION,
}
RECURRENCE_WORDS = {
    "hằng tháng": Recurrence.MONTHLY,
    "hàng tháng": Recurrence.MONTHLY,
    "hằng quý": Recurrence.QUARTERLY,
    "hàng quý": Recurrence.QUARTERLY,
    "hằng năm": Recurrence.YEARLY,
    "hàng năm": Recurrence.YEARLY,
}


def _doc_type(text: str, number: str) -> str:
    lowered = text.lower()
    if lowered in DocumentType.values:
        return lowered
    for choice in DocumentType:
        if str(choice.label).lower() == lowered:
            return choice.value
    if lowered in DOC_TYPE_WORDS:
        return DOC_TYPE_WORDS[lowered]
    if not text:  # from the symbol: 42/NQ-CP
        symbol = number.split("/")[-1].split("-")[0].upper() if "/" in number else ""
        return SYMBOL_TYPES.get(symbol, DocumentType.OTHER)
    raise ValidationError(_("unknown document type %(value)s") % {"value": text}, code="doc_type")


def _kind(text: str) -> str:
    lowered = text.lower()
    if not lowered:
        return TaskKind.SPECIFIC
    if lowered in TaskKind.values:
        return lowered
    if lowered.startswith(("xây dựng", "trình", "đề án", "báo cáo", "văn bản")):
        return TaskKind.SUBMISSION
    return TaskKind.SPECIFIC


def _recurrence(text: str) -> str:
    lowered = text.lower()
    if not lowered or lowered in ("không", "một lần"):
        return Recurrence.NONE
    if lowered in Recurrence.values:
        return lowered
    if lowered in RECURRENCE_WORDS:
        return RECURRENCE_WORDS[lowered]
    raise ValidationError(
        _("unknown recurrence %(value)s (Hằng tháng, Hằng quý, Hằng năm)") % {"value": text},
        code="recurrence",
    )


def import_tasks(user, upload, *, commit: bool) -> ImportResult:
    return run_import(upload, LAYOUT, lambda rows, result: _run(user, rows, result), commit=commit)


def _run(user, rows, result: ImportResult) -> None:
    labels = LAYOUT.labels
    documents: dict[tuple[str, str], Document] = {}
    for number, values in rows:
        column = ""
        try:
            with transaction.atomic():
                column = "issued_on"
                issued_on = parse_date(values.get("issued_on"), labels["issued_on"], required=True)
                column = "doc_type"
                doc_type = _doc_type(values.get("doc_type", ""), values.get("number", ""))
                key = (values.get("number", ""), issued_on.isoformat())
                column = "number"
                document = documents.get(key)
                if document is None:
                    document, _created = services.create_document(
                        user,
                        services.DocumentInput(
                            number=values.get("number", ""),
                            doc_type=doc_type,
                            issued_on=issued_on,
                            excerpt=values.get("excerpt") or values.get("number", ""),
                            signer=values.get("signer", ""),
                            issuer_name=values.get("issuer", ""),
                        ),
                    )
                    documents[key] = document
                column = "recurrence"
                data = services.TaskInput(
                    content=values.get("content", ""),
                    lead=values.get("lead", ""),
                    kind=_kind(values.get("kind", "")),
                    clause=values.get("clause", ""),
                    coordinators=[
                        part.strip()
                        for part in values.get("coordinators", "").replace(",", ";").split(";")
                        if part.strip()
                    ],
                    deadline=values.get("deadline") or None,
                    recurrence=_recurrence(values.get("recurrence", "")),
                    is_key=values.get("is_key", "").lower() in YES,
                    expected_product=values.get("expected_product", ""),
                    projects=values.get("projects", ""),
                )
                column = "content"
                key_text = services.import_key(document, data)
                already = document.tasks.filter(import_key=key_text).exists()
                task = services.create_task(user, document, data, key=key_text)
                if values.get("completed_on") and not already:
                    column = "completed_on"
                    completed_on = parse_date(values["completed_on"], labels["completed_on"])
                    services.complete_task(
                        user,
                        task,
                        completed_at=status.moment_on(completed_on),
                        product=values.get("product", ""),
                    )
        except ValidationError as error:
            named = getattr(error, "params", None) or {}
            field = str(named.get("field") or labels.get(column, ""))
            result.errors.append(RowError(number, field, " ".join(error.messages)))
            continue
        result.valid += 1
        if already:
            result.skipped += 1
        else:
            result.created += 1


def template():
    """The import template: the header row and one filled example."""
    return sheets.template(
        "Nhiệm vụ",
        LAYOUT,
        [
            "01/NQ-CP",
            "Nghị quyết",
            "08/01/2026",
            "Thủ tướng Chính phủ",
            "Chính phủ",
            "Về nhiệm vụ, giải pháp chủ yếu thực hiện Kế hoạch phát triển kinh tế - xã hội"
            " năm 2026",
            "II.1",
            "Xây dựng, trình Chính phủ Nghị định sửa đổi về quản lý nợ công",
            "Xây dựng, trình đề án, báo cáo, văn bản",
            "BTC",
            "BTP; NHNN",
            "30/06/2026",
            "",
            "x",
            "Nghị định",
            "",
            "",
            "",
        ],
    )
