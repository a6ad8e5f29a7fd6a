"""Template helpers shared by every page."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import override

register = template.Library()


@register.filter
def vn_number(value, decimals=None):
    """A number the Vietnamese way (1.234.567,8), whatever the active language.

    Rounds half away from zero, as statistical tables do (Django's own formatting
    truncates: 2,46 shown with one decimal would read 2,4).
    """
    if value is None or value == "" or isinstance(value, bool):
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return ""
    if decimals is not None:
        decimals = int(decimals)
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    with override("vi"):
        return formats.number_format(number, decimal_pos=decimals, force_grouping=True)


@register.filter
def percent(rate, decimals=1):
    """A share (0.953) as a percentage the Vietnamese way (95,3%); empty for None."""
    if rate is None or rate == "":
        return ""
    return f"{vn_number(Decimal(str(rate)) * 100, decimals)}%"


@register.filter
def get_item(mapping, key):
    """``{{ counts|get_item:unit.pk }}``: a dictionary lookup with a variable key."""
    if not mapping:
        return None
    return mapping.get(key)
