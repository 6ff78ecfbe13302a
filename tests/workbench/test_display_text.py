"""Writing direction by UAX #9 rule P2, and sizes in powers of 1024."""

from __future__ import annotations

import pytest

from workbench.display_text import human_size, is_rtl


@pytest.mark.parametrize(
    ("text", "rtl"),
    [
        ("مدرسة حاس", True),  # Arabic: "Hass school"
        ("בית ספר", True),  # Hebrew
        ("Школа", False),  # Cyrillic is left to right
        ("2016-10-26 مدرسة", True),  # digits are weak: the first strong letter decides
        ("Hass مدرسة", False),
        ("1234 ...", False),  # no strong character at all
        ("", False),
    ],
)
def test_direction_is_that_of_the_first_strong_character(text, rtl):
    assert is_rtl(text) is rtl


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1536, "1.5 KB"),
        (5 * 1024**2, "5.0 MB"),
        (3 * 1024**4, "3072.0 GB"),
    ],
)
def test_sizes_are_shown_in_powers_of_1024(size, shown):
    assert human_size(size) == shown
