"""The short-lived read cache: repeated reads cost one call; any write drops it; keys never
hold the token."""

from __future__ import annotations

from platformkit.api import MemoryStore, ReadCache
from tests.api.conftest import REF, TOKEN, Script, json_response

PROJECT = {"ref": REF, "name": "p", "status": "ACTIVE_HEALTHY"}


def test_repeated_reads_within_the_ttl_cost_one_call(make_client):
    script = Script(json_response(200, PROJECT))
    client = make_client(script, cache=ReadCache(ttl=5))
    assert client.projects.get(REF).name == client.projects.get(REF).name == "p"
    assert len(script.requests) == 1


def test_different_queries_are_cached_apart(make_client):
    script = Script(json_response(200, [{"name": "db", "status": "ACTIVE_HEALTHY", "healthy": True}]))
    client = make_client(script, cache=ReadCache(ttl=5))
    client.projects.health(REF, services=["db"])
    client.projects.health(REF, services=["db", "auth"])
    client.projects.health(REF, services=["db"])
    assert len(script.requests) == 2


def test_a_write_drops_cached_reads(make_client):
    script = Script(json_response(200, PROJECT))
    client = make_client(script, cache=ReadCache(ttl=5))
    client.projects.get(REF)
    script.answers = [
        json_response(200, {"id": 1, "ref": REF, "name": "renamed"}),
        json_response(200, {**PROJECT, "name": "renamed"}),
    ]
    client.projects.update(REF, name="renamed")
    assert client.projects.get(REF).name == "renamed"


def test_entries_expire_after_the_ttl():
    now = [0.0]
    store = MemoryStore(clock=lambda: now[0])
    cache = ReadCache(store, ttl=5)
    cache.set("k", {"v": 1})
    assert cache.get("k").data == {"v": 1}
    now[0] = 5.1
    assert cache.get("k") is None


def test_a_cached_empty_answer_is_a_hit_not_a_miss(make_client):
    script = Script(json_response(200, []))
    client = make_client(script, cache=ReadCache(ttl=5))
    assert client.projects.list() == [] and client.projects.list() == []
    assert len(script.requests) == 1


def test_cache_keys_do_not_contain_the_token(make_client):
    seen: list[str] = []

    class RecordingStore(MemoryStore):
        def set(self, key, value, ttl):
            seen.append(key)
            super().set(key, value, ttl)

    make_client(Script(json_response(200, [])), cache=ReadCache(RecordingStore(), ttl=5)).projects.list()
    assert seen and all(TOKEN not in key for key in seen)
