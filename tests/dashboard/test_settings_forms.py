"""The settings tabs' forms on their own: each rule accepted and refused, with its message."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from platformkit import crypto
from platformkit.api.types import AddonVariant
from platformkit.sections.settings.api_keys.forms import ApiKeyDeleteForm
from platformkit.sections.settings.claim.forms import TransferForm
from platformkit.sections.settings.claim.services import CONFIRM_CLEANUP
from platformkit.sections.settings.compute.forms import ComputeChangeForm, ComputeReviewForm, PitrForm, first_error
from platformkit.sections.settings.compute.services import Options
from platformkit.sections.settings.config import fields as config_fields
from platformkit.sections.settings.config.forms import NEEDS_FIXING, ConfigApplyForm, ConfigChangeForm
from platformkit.sections.settings.secrets.forms import SecretsAddForm, SecretsDeleteForm, parse_secrets


def _post(data: dict[str, Any]) -> QueryDict:
    posted = QueryDict(mutable=True)
    for key, value in data.items():
        posted.setlist(key, value if isinstance(value, list) else [value])
    return posted


# Secrets


def test_secrets_add_form_parses_and_keeps_the_text() -> None:
    form = SecretsAddForm({"secrets": "  A=1\nexport B='two'\n", "overwrite": "yes"})
    assert form.is_valid()
    assert form.cleaned_data == {"secrets": {"A": "1", "B": "two"}, "overwrite": True}
    ticked_otherwise = SecretsAddForm({"secrets": "A=1", "overwrite": "on"})
    assert ticked_otherwise.is_valid() and ticked_otherwise.cleaned_data["overwrite"] is False  # only "yes"


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Paste at least one secret: NAME=value lines, or JSON."),
        ("   \n", "Paste at least one secret: NAME=value lines, or JSON."),
        ("NOEQUALS", "Line 1 has no '=': write NAME=value."),
        ("# c\n\nA=1\nB", "Line 4 has no '=': write NAME=value."),
        ("1BAD=x", "'1BAD' is not a valid secret name (letters, digits and _; not starting with a digit)."),
        ("A" * 257 + "=x", "is not a valid secret name"),
        (
            "SUPABASE_URL=x",
            "SUPABASE_URL: names starting with SUPABASE_ are reserved by Supabase and refused by the API.",
        ),
        ('{"A": 1}', 'JSON must be {"NAME": "value", ...} or [{"name": ..., "value": ...}] with string values.'),
        ("{}", "with string values."),
        ('"text"', "Line 1 has no '='"),  # not JSON-shaped: read as .env
        ("[{", "That is not valid JSON: "),
    ],
)
def test_secrets_add_form_refuses_with_the_message(text: str, message: str) -> None:
    form = SecretsAddForm({"secrets": text})
    assert not form.is_valid() and message in form.errors["secrets"][0]
    assert form.text == text  # what was pasted goes back into the textarea
    with pytest.raises(ValidationError, match="."):
        parse_secrets(text)


def test_parse_secrets_reads_every_shape() -> None:
    assert parse_secrets("A = 'x y'\nB=\"q\"\nC=a=b\nD=") == {"A": "x y", "B": "q", "C": "a=b", "D": ""}
    assert parse_secrets('{"A": "1", "B": "2"}') == {"A": "1", "B": "2"}
    assert parse_secrets('[{"name": "A", "value": "1"}, "ignored"]') == {"A": "1"}
    assert parse_secrets("A=1\nA=2") == {"A": "2"}  # the last one wins


def test_secrets_delete_form_needs_a_name() -> None:
    form = SecretsDeleteForm(_post({"name": ["A", "B"]}))
    assert form.is_valid() and form.cleaned_data["name"] == ["A", "B"]
    empty = SecretsDeleteForm(_post({}))
    assert not empty.is_valid() and empty.errors["name"] == ["Tick the secrets to delete."]


# API keys


def test_api_key_delete_form_needs_the_box_ticked() -> None:
    form = ApiKeyDeleteForm({"confirm": "yes", "compromised": "yes"})
    assert form.is_valid() and form.cleaned_data == {"confirm": True, "compromised": True}
    not_compromised = ApiKeyDeleteForm({"confirm": "yes"})
    assert not_compromised.is_valid() and not_compromised.cleaned_data["compromised"] is False
    for data in ({}, {"confirm": "on"}, {"compromised": "yes"}):
        refused = ApiKeyDeleteForm(data)
        assert not refused.is_valid()
        assert refused.errors["confirm"] == ["Tick the box to confirm deleting the key: apps using it stop working."]


# Transfer


def test_transfer_form_names_the_missing_configuration_first() -> None:
    assert TransferForm({"cleaned_up": "yes"}).is_valid()
    unconfirmed = TransferForm({})
    assert not unconfirmed.is_valid() and unconfirmed.non_field_errors() == [CONFIRM_CLEANUP]
    for data in ({}, {"cleaned_up": "yes"}):
        unconfigured = TransferForm(data, not_configured="Set the OAuth app.")
        assert not unconfigured.is_valid() and unconfigured.non_field_errors() == ["Set the OAuth app."]


# Compute


def _options(*, current: str | None = "ci_micro", pitr: str | None = None) -> Options:
    sizes = [AddonVariant(id="ci_micro", name="Micro"), AddonVariant(id="ci_small", name="Small")]
    pitrs = [AddonVariant(id="pitr_7", name="7 days"), AddonVariant(id="pitr_14", name="14 days")]
    by_id = {variant.id: variant for variant in (*sizes, *pitrs)}
    return Options(by_id[current] if current else None, "nano", sizes, by_id[pitr] if pitr else None, pitrs)


def test_compute_review_form() -> None:
    form = ComputeReviewForm({"variant": "ci_small"}, options=_options())
    assert form.is_valid() and form.cleaned_data["variant"].name == "Small"
    cases = {
        "ci_huge": "ci_huge is not offered for this project.",
        "": " is not offered for this project.",
        "ci_micro": "The project already runs on Micro.",
    }
    for variant, message in cases.items():
        refused = ComputeReviewForm({"variant": variant}, options=_options())
        assert not refused.is_valid() and first_error(refused) == message
    assert ComputeReviewForm({"variant": "ci_micro"}, options=_options(current=None)).is_valid()


def test_compute_change_form_needs_the_size_named_again() -> None:
    form = ComputeChangeForm({"variant": "ci_small", "confirm": "ci_small"}, options=_options())
    assert form.is_valid() and form.cleaned_data["variant"].id == "ci_small"
    cases = {
        ("ci_small", "ci_large"): "Confirm the change to Small (ci_small).",
        ("ci_small", ""): "Confirm the change to Small (ci_small).",
        ("ci_small", " ci_small"): "Confirm the change to Small (ci_small).",  # typed exactly
        ("pitr_7", "pitr_7"): "Choose a compute size.",
        ("ci_micro", "ci_micro"): "The project already runs on Micro.",
        ("ci_huge", "ci_huge"): "ci_huge is not offered for this project.",
    }
    for (variant, confirm), message in cases.items():
        refused = ComputeChangeForm({"variant": variant, "confirm": confirm}, options=_options())
        assert not refused.is_valid() and first_error(refused) == message, (variant, confirm)


def test_pitr_form() -> None:
    assert PitrForm({"variant": "pitr_14"}, options=_options()).is_valid()
    assert PitrForm({"variant": "off"}, options=_options(pitr="pitr_7")).is_valid()
    already_off = PitrForm({"variant": "off"}, options=_options())
    assert not already_off.is_valid() and first_error(already_off) == "PITR is already off."
    unknown = PitrForm({"variant": "pitr_99"}, options=_options())
    assert not unknown.is_valid() and first_error(unknown) == "pitr_99 is not offered for this project."


# Service configuration: fields.parse and the forms around it


def _realtime() -> list[config_fields.Field]:
    return config_fields.build_fields(
        "realtime", {"connection_pool": 10, "max_concurrent_users": 200, "suspend": False, "private_only": None}
    )


def _storage() -> list[config_fields.Field]:
    return config_fields.build_fields(
        "storage",
        {
            "fileSizeLimit": 52428800,
            "features": {"imageTransformation": {"enabled": False}, "s3Protocol": {"enabled": False}},
            "migrationVersion": "x",
        },
    )


def test_parse_types_the_changes_and_ignores_the_rest() -> None:
    fields = _realtime()
    body, changes = config_fields.parse(
        "realtime", fields, _post({"connection_pool": " 20 ", "suspend": ["false", "true"], "private_only": "false"})
    )
    assert body == {"connection_pool": 20, "suspend": True}  # a checkbox's last value wins; unset stays unset
    assert [(c.name, c.old, c.new) for c in changes] == [("connection_pool", 10, 20), ("suspend", False, True)]
    assert config_fields.parse("realtime", _realtime(), _post({}))[1] == []  # absent fields are not changes
    assert config_fields.parse("realtime", _realtime(), _post({"max_concurrent_users": "200"}))[1] == []


def test_parse_sets_errors_on_the_fields_and_keeps_what_was_typed() -> None:
    fields = _realtime()
    _, changes = config_fields.parse(
        "realtime", fields, _post({"connection_pool": "many", "max_concurrent_users": "", "suspend": "maybe"})
    )
    by_name = {f.name: f for f in fields}
    assert (by_name["connection_pool"].error, by_name["connection_pool"].given) == ("must be a whole number", "many")
    assert by_name["max_concurrent_users"].error == "is required"
    assert by_name["suspend"].error == "must be on or off"
    assert changes == []
    fields = _realtime()
    config_fields.parse("realtime", fields, _post({"connection_pool": "1000"}))  # the schema judges ranges
    assert {f.name: f.error for f in fields}["connection_pool"] == "must be at most 100"


def test_parse_nests_storage_features() -> None:
    fields = _storage()
    body, changes = config_fields.parse(
        "storage", fields, _post({"features.s3Protocol.enabled": ["false", "true"], "migrationVersion": "y"})
    )
    assert body == {"features": {"s3Protocol": {"enabled": True}}}  # read-only fields are never sent
    assert [c.name for c in changes] == ["features.s3Protocol.enabled"]
    assert config_fields.request_body(body, fields)["features"] == {"s3Protocol": {"enabled": True}}


def test_parse_keeps_a_blank_secret() -> None:
    fields = config_fields.build_fields("auth", {"smtp_pass": "stored", "site_url": "https://a.example"})
    assert config_fields.parse("auth", fields, _post({"smtp_pass": ""})) == ({}, [])
    body, changes = config_fields.parse("auth", fields, _post({"smtp_pass": " new "}))
    assert body == {"smtp_pass": " new "} and changes[0].secret and changes[0].new_display == "(new value)"


def test_config_change_form() -> None:
    form = ConfigChangeForm(_post({"connection_pool": "20"}), service="realtime", fields=_realtime())
    assert form.is_valid() and form.cleaned_data["body"] == {"connection_pool": 20}
    unchanged = ConfigChangeForm(_post({"connection_pool": "10"}), service="realtime", fields=_realtime())
    assert unchanged.is_valid() and unchanged.cleaned_data["changes"] == []
    fields = _realtime()
    bad = ConfigChangeForm(_post({"connection_pool": "x"}), service="realtime", fields=fields)
    assert not bad.is_valid() and bad.non_field_errors() == [NEEDS_FIXING]
    assert [f.error for f in fields if f.error] == ["must be a whole number"]


def test_config_apply_form_unseals_only_its_own_review() -> None:
    sealed = config_fields.seal(ref="abc", service="realtime", body={"a": 1}, base={"a": 0}, actor="user:1")
    form = ConfigApplyForm({"change": sealed}, ref="abc", service="realtime", actor="user:1")
    assert form.is_valid() and form.cleaned_data["change"]["body"] == {"a": 1}
    cases = {
        ("x" + sealed, "abc", "user:1"): "The reviewed change could not be read: review it again.",
        ("", "abc", "user:1"): "The reviewed change could not be read: review it again.",
        (sealed, "other", "user:1"): "This reviewed change belongs to another project, service or user.",
        (sealed, "abc", "user:2"): "This reviewed change belongs to another project, service or user.",
    }
    for (change, ref, actor), message in cases.items():
        refused = ConfigApplyForm({"change": change}, ref=ref, service="realtime", actor=actor)
        assert not refused.is_valid() and refused.errors["change"] == [message]
    old = crypto.encrypt('{"ref": "abc", "service": "realtime", "actor": "user:1", "body": {}, "base": {}, "at": 0}')
    stale = ConfigApplyForm({"change": old}, ref="abc", service="realtime", actor="user:1")
    assert not stale.is_valid()
    assert stale.errors["change"] == ["The review is more than 30 minutes old: review the change again."]
