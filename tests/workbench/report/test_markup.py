"""Cells of the report's tables: numbers fixed, intervals item by item, never a NaN."""

from __future__ import annotations

import math

import pytest

from workbench.report.markup import MISSING, cell


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (12.3456789, "12.345679"),
        ([950.8080601085837, 1006.6260105546755], "[950.8; 1,006.6]"),
        ((-0.4320066, -0.3679933), "[-0.432007; -0.367993]"),
        ([math.nan, 1.0], f"[{MISSING}; 1.000000]"),
        ([math.inf, None], f"[{MISSING}; {MISSING}]"),
        ([3, 4], "[3; 4]"),
    ],
)
def test_numbers_and_intervals_are_fixed(value, shown):
    assert cell(value) == shown
    assert "nan" not in cell(value).lower()


def test_a_list_of_words_is_escaped_text():
    assert "&lt;b&gt;" in cell(["<b>"])
