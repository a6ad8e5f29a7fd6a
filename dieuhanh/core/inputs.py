"""Checks of what a person or a system sent, shared by the services: each returns the clean
value or raises a ``ValidationError`` whose message names the field (in the user's
language) and whose ``params["field"]`` says which field failed, so that a form, the API
and a spreadsheet import can each point at it."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_TEXT = 20_000


def clean_text(text, name: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(
            _("%(field)s: write it.") % {"field": name}, code="required", params={"field": name}
        )
    if len(text) > limit:
        raise ValidationError(
            _("%(field)s: longer than %(n)d characters.") % {"field": name, "n": limit},
            code="too_long",
            params={"field": name},
        )
    return text


def clean_choice(value, choices, name: str, default=None) -> str:
    value = default if value in (None, "") and default is not None else value
    if value not in choices.values:
        raise ValidationError(
            _("%(field)s: %(value)s is not one of %(choices)s.")
            % {"field": name, "value": value, "choices": ", ".join(str(v) for v in choices.values)},
            code="invalid_choice",
            params={"field": name},
        )
    return value


def parse_date(value, name: str, *, required: bool = False) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if value in (None, ""):
        if required:
            raise ValidationError(
                _("%(field)s: give a date.") % {"field": name},
                code="required",
                params={"field": name},
            )
        return None
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(
        _("%(field)s: %(value)s is not a date (dd/mm/yyyy).") % {"field": name, "value": text},
        code="invalid_date",
        params={"field": name},
    )


def plain_number(text: str) -> str:
    """A number as people write it here, as Python reads it: 42.000,5 or 42000,5 -> 42000.5
    (with a comma, the dots are thousands); 42000.5 stays."""
    text = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return text


def parse_number(
    value, name: str, *, required: bool = True, limit: Decimal = Decimal("1e15")
) -> Decimal | None:
    """A finite number below ``limit`` in size, written the Vietnamese or the plain way."""
    if value in (None, ""):
        if required:
            raise ValidationError(
                _("%(field)s: give a number.") % {"field": name},
                code="required",
                params={"field": name},
            )
        return None
    try:
        number = Decimal(plain_number(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) >= limit:
        raise ValidationError(
            _("%(field)s: %(value)s is not a number.") % {"field": name, "value": value},
            code="invalid_number",
            params={"field": name},
        )
    return number
