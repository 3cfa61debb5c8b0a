"""``platformkit.conf``: defaults merged under the host's dict, FEATURES key by key."""

from __future__ import annotations

from typing import Any

from platformkit.conf import DEFAULTS, SECTIONS, get_config


def test_defaults_fill_what_the_host_leaves_out(settings: Any) -> None:
    settings.PLATFORMKIT = {"API_TOKEN": "t", "FEATURES": {"logs": False}}
    config = get_config()
    assert config["API_URL"] == "https://api.supabase.com"
    assert config["BASE_TEMPLATE"] == DEFAULTS["BASE_TEMPLATE"]
    assert config["FEATURES"] == {**dict.fromkeys(SECTIONS, True), "logs": False}


def test_changes_in_place_are_seen(settings: Any) -> None:
    settings.PLATFORMKIT = {"API_TOKEN": "before"}
    assert get_config()["API_TOKEN"] == "before"
    settings.PLATFORMKIT["API_TOKEN"] = "after"  # as a session fixture might do
    assert get_config()["API_TOKEN"] == "after"
