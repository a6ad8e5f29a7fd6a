import datetime
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

from dieuhanh.core.templatetags.dieuhanh import vn_number


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234567.8, None, "1.234.567,8"),
        (1234567.891, 2, "1.234.567,89"),
        (Decimal("-9876543.21"), 1, "-9.876.543,2"),
        (1000, None, "1.000"),
        (0, 2, "0,00"),
        (2.46, 1, "2,5"),
        (2.45, 1, "2,5"),
        (-0.05, 1, "-0,1"),
        (1234567.86, 0, "1.234.568"),
        ("12,5 tỷ", None, "12,5 tỷ"),
        (float("nan"), 1, ""),
        (True, None, ""),
        (None, None, ""),
        ("", None, ""),
    ],
)
def test_numbers_are_written_the_vietnamese_way(value, decimals, expected):
    assert vn_number(value, decimals) == expected


@pytest.mark.parametrize("language", ["vi", "en"])
def test_numbers_stay_vietnamese_on_the_english_page(language):
    with translation.override(language):
        rendered = Template("{% load dieuhanh %}{{ value|vn_number:1 }}").render(
            Context({"value": 1234567.86})
        )
    assert rendered == "1.234.567,9"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_are_dd_mm_yyyy(language):
    with translation.override(language):
        assert formats.date_format(datetime.date(2025, 9, 2), "SHORT_DATE_FORMAT") == "02/09/2025"


def test_ids_in_templates_are_not_grouped():
    assert Template("{{ value }}").render(Context({"value": 123456})) == "123456"


def test_date_fields_accept_vietnamese_input():
    class PeriodForm(forms.Form):
        day = forms.DateField()

    with translation.override("vi"):
        form = PeriodForm({"day": "15/09/2025"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == datetime.date(2025, 9, 15)
        assert not PeriodForm({"day": "31/02/2025"}).is_valid()
