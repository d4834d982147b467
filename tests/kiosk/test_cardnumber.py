"""Library card numbers from the pad and from a wedge barcode scanner."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import cardnumber
from kiosk.cardnumber import CardNumberError, Problem, ScanBuffer
from protocol import cardnumber as rule

PATTERN = r"^[A-Da-d]?(\d{10})[A-Da-d]?$"


@pytest.mark.parametrize("text", ["A2000000014B", "2000000014", "c2000000014d", " A2000000014B "])
def test_codabar_start_stop_letters_are_accepted(text: str) -> None:
    assert cardnumber.from_scan(text, PATTERN) == "2000000014"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", Problem.EMPTY),
        ("A2000000015B", Problem.CHECK_DIGIT),
        ("X2000000014Y", Problem.NOT_A_LIBRARY_BARCODE),
        ("4901234567894", Problem.NOT_A_LIBRARY_BARCODE),  # a book's EAN, scanned by mistake
        ("２０００００００１４", Problem.NOT_A_LIBRARY_BARCODE),  # full-width digits
        ("9" * 500, Problem.NOT_A_LIBRARY_BARCODE),
    ],
)
def test_bad_scans_say_why(text: str, problem: Problem) -> None:
    with pytest.raises(CardNumberError) as info:
        cardnumber.from_scan(text, PATTERN)
    assert info.value.problem is problem


def test_single_digit_typos_are_always_caught() -> None:
    good = "2000000014"
    for position in range(10):
        for digit in "0123456789":
            typo = good[:position] + digit + good[position + 1 :]
            assert rule.is_valid(typo) == (typo == good)


def test_scan_buffer_collects_until_enter_and_is_bounded() -> None:
    buf = ScanBuffer()
    for ch in "A2000000014B":
        buf.feed(ch)
    buf.feed("\t")
    assert buf.take() == "A2000000014B"
    assert buf.take() == ""
    for _ in range(10_000):
        buf.feed("9")
    garbage = buf.take()
    assert len(garbage) == cardnumber.MAX_SCAN_LENGTH + 1
    with pytest.raises(CardNumberError):
        cardnumber.from_scan(garbage, PATTERN)


@settings(derandomize=True, max_examples=300)
@given(st.text(max_size=80))
def test_any_scanner_input_is_a_number_or_a_clear_problem(text: str) -> None:
    try:
        number = cardnumber.from_scan(text, PATTERN)
    except CardNumberError as exc:
        assert isinstance(exc.problem, Problem)
    else:
        assert rule.is_valid(number)
