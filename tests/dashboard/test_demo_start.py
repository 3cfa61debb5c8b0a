"""`make demo` started again keeps its operator signed in: the operator account is ensured at
each start, and setting the same password anew changed its hash, which ends every session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from demo import run


def test_starting_the_demo_again_keeps_the_operator_signed_in(db: None, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(run, "DATA_DIR", tmp_path)
    password = run._ensure_operator()
    client = Client()
    assert client.login(username=run.OPERATOR, password=password)
    assert client.get(reverse("platformkit:projects")).status_code == 200
    assert run._ensure_operator() == password  # the next start
    assert client.get(reverse("platformkit:projects")).status_code == 200  # still signed in
