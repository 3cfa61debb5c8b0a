"""CSV cells a spreadsheet will not run (core.exports), shared by the SQL and Database downloads."""

import pytest

from platformkit.core.exports import spreadsheet_safe


@pytest.mark.parametrize("text", ["=cmd()", "+SUM(A1)", "-2+3 or so", "@import", "=1", "\t=cmd()", "\r=cmd()"])
def test_formulas_are_kept_text(text: str) -> None:
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["-3", "+1.5", "-.5", "1e5", "-2.5e-3", "plain", "", "a=b"])
def test_numbers_and_plain_text_stay(text: str) -> None:
    assert spreadsheet_safe(text) == text
