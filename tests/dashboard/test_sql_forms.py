"""The SQL editor's forms on their own: each rule accepted and refused, with its message."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict

from platformkit.sections.sql.forms import RunForm, SnippetForm


def run_form(**data: str) -> RunForm:
    form = RunForm(data)
    form.is_valid()
    return form


def test_a_statement_is_required() -> None:
    form = run_form(sql="  \n ")
    assert not form.is_valid() and form.first_error() == "Write a statement to run."
    assert run_form(sql=" select 1 ").cleaned_data["sql"] == " select 1 "  # sent as written


def test_the_statement_error_comes_before_the_parameters_error() -> None:
    assert run_form(sql="", parameters="{oops").first_error() == "Write a statement to run."


@pytest.mark.parametrize(
    ("raw", "expected"), [("", None), ("  ", None), ("[21]", [21]), ('[1, "a", null]', [1, "a", None])]
)
def test_parameters_are_a_json_array(raw: str, expected: Any) -> None:
    form = run_form(sql="select $1", parameters=raw)
    assert form.is_valid() and form.cleaned_data["parameters"] == expected


def test_parameters_that_are_not_json_or_not_an_array_are_refused() -> None:
    broken = run_form(sql="select 1", parameters="{oops")
    assert not broken.is_valid() and broken.first_error().startswith("Parameters: Expecting property name")
    scalar = run_form(sql="select 1", parameters='{"a": 1}')
    assert scalar.first_error() == 'Parameters: Parameters must be a JSON array, e.g. [1, "text"]'


def test_flags_take_their_one_value() -> None:
    on = run_form(sql="select 1", read_only="on", confirmed="1", enable_rls="1").cleaned_data
    assert (on["read_only"], on["confirmed"], on["enable_rls"]) == (True, True, True)
    off = run_form(sql="select 1", read_only="yes", confirmed="on", enable_rls="true").cleaned_data
    assert (off["read_only"], off["confirmed"], off["enable_rls"]) == (False, False, False)
    assert run_form(sql="select 1").cleaned_data["read_only"] is False


@pytest.mark.parametrize(("sent", "kept"), [("csv", "csv"), ("json", "json"), ("xlsx", None), ("", None)])
def test_download_format(sent: str, kept: str | None) -> None:
    assert run_form(sql="select 1", format=sent).cleaned_data["format"] == kept


def test_what_was_typed_is_shown_again_even_when_refused() -> None:
    form = run_form(sql="select $1", parameters="[oops")
    assert form.typed() == {"sql": "select $1", "parameters": "[oops"}
    assert RunForm(QueryDict("")).typed() == {"sql": "", "parameters": ""}


def test_a_snippet_needs_a_name_and_some_sql() -> None:
    for data in ({"name": "", "sql": "select 1"}, {"name": "  ", "sql": "select 1"}, {"name": "n", "sql": " "}, {}):
        form = SnippetForm(data)
        assert not form.is_valid() and form.non_field_errors() == ["A snippet needs a name and some SQL."]
    form = SnippetForm({"name": "  seven  ", "sql": "select 7"})
    assert form.is_valid() and form.cleaned_data == {"name": "seven", "sql": "select 7"}
    long = SnippetForm({"name": "x" * 300, "sql": "select 1"})
    assert long.is_valid() and long.cleaned_data["name"] == "x" * 200  # cut, not refused
    assert SnippetForm({"name": "", "sql": " select 2"}).typed_sql() == " select 2"
