"""The pivot table page: the table, a refusal shown in Vietnamese, the links to switch rows
and columns and to download."""

from tests.analytics.conftest import MAY_2024, client_for, province, store


def test_the_pivot_table_lays_out_the_answer(analyst):
    hanoi = province("01")
    store(
        [
            ("RETAIL_SALES", hanoi, "202404", "90"),
            ("RETAIL_SALES", hanoi, "202405", "100.5"),
            ("RETAIL_SALES", province("79", MAY_2024), "202405", "1234.5"),
        ]
    )
    client = client_for(analyst)
    page = client.get(
        "/analytics/",
        {
            "indicators": "RETAIL_SALES",
            "orgunits": "KIND-province",
            "periods_custom": "202404;202405",
            "structure": "date",
            "structure_date": "2024-05-31",
        },
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="pivot-table"' in html
    assert "Tháng 5/2024" in html and "Thành phố Hồ Chí Minh" in html
    assert "1.234,5" in html and "100,5" in html  # the Vietnamese way
    assert "đơn vị tại ngày 31/05/2024" in html
    table = page.context["table"]
    assert table.row_dimensions == ["indicator", "orgunit"]
    assert table.column_dimensions == ["period"]
    # Units without a value in any column are left out: the two that reported.
    assert len(table.rows) == 2
    swap = page.context["swap_url"]
    assert "rows=period" in swap and "columns=indicator" in swap and "columns=orgunit" in swap
    swapped = client.get("/analytics/" + swap).context["table"]
    assert swapped.row_dimensions == ["period"]
    assert swapped.column_dimensions == ["indicator", "orgunit"]
    assert "format=xlsx" in page.context["xlsx_url"]


def test_a_refusal_is_explained_on_the_page(analyst):
    page = client_for(analyst).get(
        "/analytics/", {"indicators": "RETAIL_SALES", "periods_custom": "2024Q5"}
    )
    assert page.status_code == 200
    assert "2024Q5 không phải mã kỳ" in page.content.decode()
    empty = client_for(analyst).get("/analytics/")
    assert "Chọn một hoặc nhiều chỉ tiêu" in empty.content.decode()
