"""The Database section against the local API (real HTTP, real PostgreSQL): what an operator
sees of schemas, tables and rows, and what the row editor writes."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.models import AuditEvent
from platformkit.sections.database.forms import encode_values
from tests.dashboard.conftest import assert_valid_html

SETUP = """
create type mood as enum ('happy', 'sad');
create table public.authors (id bigint generated always as identity primary key, name text not null);
create table public.books (
  id int primary key, title text not null, author_id bigint references public.authors (id),
  price numeric(8,2), in_print boolean default true, mood mood, tags text[], meta jsonb,
  published date, added timestamptz default now(), code uuid,
  title_upper text generated always as (upper(title)) stored
);
create table public.loose (note text);
alter table public.books enable row level security;
insert into public.authors (name) values ('Ann'), ('Bob');
insert into public.books (id, title, author_id, price, mood, tags, meta, published)
  select g, 'Book ' || g, 1 + g % 2, g * 1.5, 'happy', array['a', 'b'], '{"n": 1}', date '2024-01-01' + g
  from generate_series(1, 250) g;
insert into public.loose values ('x'), ('y'), ('<script>alert(1)</script>');
analyze public.books;  -- the planner's estimate (statistics of a fresh instance may not be flushed yet)
"""


@pytest.fixture
def project_ref(api: Any, upstream: Any, make_project: Any) -> str:
    ref = make_project().ref
    deadline = time.monotonic() + 20
    while upstream.projects.get(ref).status != "ACTIVE_HEALTHY":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    upstream.database.query(ref, SETUP)
    return ref


def sql(upstream: Any, ref: str, query: str) -> list[dict[str, Any]]:
    return upstream.database.query(ref, query)


def table_url(ref: str, table: str, **params: str) -> str:
    from urllib.parse import urlencode

    return (
        reverse("platformkit:database-table", args=[ref])
        + "?"
        + urlencode({"schema": "public", "table": table, **params})
    )


def row_url(ref: str, table: str, key: list[str] | None = None, name: str = "database-row") -> str:
    from urllib.parse import urlencode

    params = {"schema": "public", "table": table, **({"key": encode_values(key)} if key is not None else {})}
    return reverse(f"platformkit:{name}", args=[ref]) + "?" + urlencode(params)


def test_schemas_and_tables_with_estimate_size_and_rls(operator_client: Client, project_ref: str) -> None:
    response = operator_client.get(reverse("platformkit:database", args=[project_ref]))
    assert response.status_code == 200
    assert_valid_html(response.content)
    html = response.content.decode()
    for schema in ("public", "auth", "storage"):
        assert f">{schema}</a>" in html
    books = re.search(r'<tr data-table="books">(.*?)</tr>', html, re.S).group(1)  # type: ignore[union-attr]
    assert "≈ 250" in books and 'data-rls="on"' in books and "KB" in books
    loose = re.search(r'<tr data-table="loose">(.*?)</tr>', html, re.S).group(1)  # type: ignore[union-attr]
    assert 'data-rls="off"' in loose
    # Another schema through its link.
    html = operator_client.get(reverse("platformkit:database", args=[project_ref]), {"schema": "auth"}).content.decode()
    assert 'data-table="users"' in html and 'data-table="books"' not in html
    assert (
        operator_client.get(reverse("platformkit:database", args=[project_ref]), {"schema": "nope"}).status_code == 404
    )


def test_rows_keyset_pages_sort_and_types(operator_client: Client, project_ref: str) -> None:
    response = operator_client.get(table_url(project_ref, "books"))
    assert response.status_code == 200
    assert_valid_html(response.content)
    html = response.content.decode()
    assert "numeric(8,2)" in html and "text[]" in html and "jsonb" in html and "timestamp with time zone" in html
    assert html.count("data-db-edit") == 100 and "<td>Book 1</td>" in html and "<td>Book 100</td>" in html
    assert "<td>{a,b}</td>" in html and "<td>{&quot;n&quot;: 1}</td>" in html and "<td>1.50</td>" in html
    next_url = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    html = operator_client.get(next_url).content.decode()
    assert "<td>Book 101</td>" in html and "<td>Book 200</td>" in html and "<td>Book 100</td>" not in html
    assert 'rel="prev"' in html
    last = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    html = operator_client.get(last).content.decode()
    assert html.count("data-db-edit") == 50 and 'rel="next"' not in html
    previous = re.search(r'<a href="([^"]+)" rel="prev">', html).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    html = operator_client.get(previous).content.decode()
    assert "<td>Book 101</td>" in html and "<td>Book 200</td>" in html and "<td>Book 201</td>" not in html
    # Sorted by price, descending: the dearest book first, and the next page continues below it.
    html = operator_client.get(table_url(project_ref, "books", sort="price", dir="desc")).content.decode()
    titles = re.findall(r"<td>(Book \d+)</td>", html)
    assert titles[:2] == ["Book 250", "Book 249"] and len(titles) == 100
    after = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert re.findall(r"<td>(Book \d+)</td>", operator_client.get(after).content.decode())[0] == "Book 150"


def test_filters_with_operators_and_bad_input(operator_client: Client, project_ref: str) -> None:
    html = operator_client.get(table_url(project_ref, "books", fc="price", fo="lte", fv="3")).content.decode()
    assert re.findall(r"<td>(Book \d+)</td>", html) == ["Book 1", "Book 2"]
    html = operator_client.get(
        table_url(project_ref, "books", fc="title", fo="ilike", fv="%book 25_%")
    ).content.decode()
    assert re.findall(r"<td>(Book \d+)</td>", html) == ["Book 250"]
    # An injection attempt is just a value that matches nothing.
    html = operator_client.get(
        table_url(project_ref, "books", fc="title", fo="eq", fv="x'; drop table books; --")
    ).content.decode()
    assert "No rows match these filters" in html
    bad = operator_client.get(table_url(project_ref, "books", fc="price", fo="gt", fv="lots"))
    assert bad.status_code == 400 and "invalid input syntax" in bad.content.decode()
    assert operator_client.get(table_url(project_ref, "books", fc="nope", fo="eq", fv="1")).status_code == 400
    assert operator_client.get(table_url(project_ref, "books", fc="id", fo="drop", fv="1")).status_code == 400
    assert operator_client.get(table_url(project_ref, "books", after="garbage")).status_code == 400
    assert operator_client.get(table_url(project_ref, "nope")).status_code == 404


def test_foreign_keys_link_to_the_referenced_row(operator_client: Client, project_ref: str) -> None:
    html = operator_client.get(table_url(project_ref, "books")).content.decode()
    link = re.search(r'<a href="([^"]+)" data-db-reference>2</a>', html).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    html = operator_client.get(link).content.decode()
    assert "<td>Bob</td>" in html and "<td>Ann</td>" not in html


def test_table_without_primary_key_is_read_only_and_escaped(operator_client: Client, project_ref: str) -> None:
    html = operator_client.get(table_url(project_ref, "loose")).content.decode()
    assert "no primary key" in html and "ctid" in html and "data-db-edit" not in html and "Insert row" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    response = operator_client.post(row_url(project_ref, "loose", name="database-row-save"), {"c0": "z"})
    assert response.status_code == 400 and "no primary key" in response.content.decode()
    assert AuditEvent.objects.count() == 0


def test_editor_widgets_follow_column_types(operator_client: Client, project_ref: str) -> None:
    response = operator_client.get(row_url(project_ref, "books", ["7"]))
    assert response.status_code == 200
    assert_valid_html(response.content)
    html = response.content.decode()
    assert 'type="number"' in html and 'data-kind="integer"' in html  # id
    assert re.search(r'<select name="c4"[^>]*>\s*<option value="true" selected>', html)  # in_print: boolean
    assert '<option value="happy" selected>happy</option>' in html and '<option value="sad">sad</option>' in html
    assert 'type="date"' in html and 'value="2024-01-08"' in html
    assert '<textarea name="c7"' in html and "{&quot;n&quot;: 1}" in html  # jsonb
    assert 'value="{a,b}"' in html  # the array as PostgreSQL writes it
    assert "generated: set by PostgreSQL" in html  # title_upper
    assert 'name="write_production"' in html  # production: switched off until ticked
    authors = operator_client.get(row_url(project_ref, "authors")).content.decode()
    assert "identity: set by PostgreSQL" in authors and "New row" in authors


def test_update_insert_and_delete_on_a_branch_free_project(
    operator_client: Client, upstream: Any, project_ref: str
) -> None:
    page = operator_client.get(row_url(project_ref, "books", ["7"])).content.decode()
    data = dict(re.findall(r'<input type="(?:text|number|date)" name="(c\d+)" value="([^"]*)"', page))
    data.update(c1="Edited title", c3="9.99", c4="false", c5="sad", c6="{x,y}", c7='{"n": 2}', c10="", n10="1")
    data["c0"] = "7"
    refused = operator_client.post(row_url(project_ref, "books", ["7"], name="database-row-save"), data)
    assert refused.status_code == 400 and "Production is read-only here" in refused.content.decode()
    assert sql(upstream, project_ref, "select title from books where id = 7") == [{"title": "Book 7"}]
    saved = operator_client.post(
        row_url(project_ref, "books", ["7"], name="database-row-save"), {**data, "write_production": "1"}
    )
    assert saved.status_code == 302 and "saved=1" in saved["Location"]
    assert sql(
        upstream,
        project_ref,
        "select title, price::text, in_print, mood::text, tags, meta, code, title_upper from books where id = 7",
    ) == [
        {
            "title": "Edited title",
            "price": "9.99",
            "in_print": False,
            "mood": "sad",
            "tags": ["x", "y"],
            "meta": {"n": 2},
            "code": None,
            "title_upper": "EDITED TITLE",
        }
    ]
    event = AuditEvent.objects.get(action="database.update")
    assert event.project_ref == project_ref and event.detail["key"] == {"id": "7"} and "Edited" not in str(event.detail)
    # Bad input is refused with the field's message, nothing sent.
    bad = operator_client.post(
        row_url(project_ref, "books", ["7"], name="database-row-save"),
        {**data, "c3": "cheap", "c7": "{", "write_production": "1"},
    )
    assert (
        bad.status_code == 400
        and "Enter a number." in bad.content.decode()
        and "Not valid JSON" in bad.content.decode()
    )
    # PostgreSQL's own refusal (a duplicate key) is shown, the form kept.
    dup = operator_client.post(
        row_url(project_ref, "books", name="database-row-save"),
        new_book("8", "Dup"),
    )
    assert dup.status_code == 400 and "23505" in dup.content.decode() and 'value="Dup"' in dup.content.decode()
    inserted = operator_client.post(
        row_url(project_ref, "books", name="database-row-save"),
        new_book("999", "New"),
    )
    assert inserted.status_code == 302
    assert sql(upstream, project_ref, "select title, in_print from books where id = 999") == [
        {"title": "New", "in_print": True}
    ]
    # Delete: asked first, then done.
    delete = row_url(project_ref, "books", ["999"], name="database-row-delete")
    asked = operator_client.post(delete, {"write_production": "1"})
    assert asked.status_code == 200 and "data-db-confirm-delete" in asked.content.decode()
    assert sql(upstream, project_ref, "select count(*) from books where id = 999") == [{"count": 1}]
    assert operator_client.post(delete, {"confirmed": "1"}).status_code == 400  # production, not switched
    done = operator_client.post(delete, {"confirmed": "1", "write_production": "1"})
    assert done.status_code == 302 and sql(upstream, project_ref, "select count(*) from books where id = 999") == [
        {"count": 0}
    ]
    assert list(AuditEvent.objects.filter(success_filter()).values_list("action", flat=True).order_by("pk")) == [
        "database.update",
        "database.insert",
        "database.delete",
    ]


def new_book(book_id: str, title: str) -> dict[str, str]:
    """An insert of books giving id and title, every other column left to its default."""
    return {"c0": book_id, "c1": title, **{f"d{index}": "1" for index in range(2, 11)}, "write_production": "1"}


def success_filter() -> Any:
    from django.db.models import Q

    return Q(outcome=AuditEvent.Outcome.SUCCESS)


def test_csv_export_streams_every_row(operator_client: Client, project_ref: str) -> None:
    response = operator_client.get(
        reverse("platformkit:database-export", args=[project_ref]) + "?schema=public&table=books&fc=mood&fo=eq&fv=happy"
    )
    assert response.status_code == 200 and response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,title,author_id,price") and len(lines) == 251
    assert lines[1].startswith("1,Book 1,2,1.50,true,happy,")


def test_diagram_draws_tables_and_foreign_keys(operator_client: Client, project_ref: str) -> None:
    response = operator_client.get(reverse("platformkit:database-diagram", args=[project_ref]), {"schema": "public"})
    assert response.status_code == 200
    assert_valid_html(response.content)
    html = response.content.decode()
    assert 'data-box="books"' in html and 'data-box="authors"' in html and "<svg" in html
    assert 'data-edge="books.author_id → authors"' in html


def _embed(ref: str, permissions: dict[str, Any], settings: Any) -> Client:
    from platformkit.embed import create_embed_url

    host = "http://localhost:9000"
    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "EMBED_ALLOWED_ORIGINS": [host],
        "EMBED_HOST_KEYS": ["host-key-123"],
    }
    client = Client(enforce_csrf_checks=True)
    url = create_embed_url("http://testserver", ref, subject="end-user-7", origin=host, permissions=permissions)
    assert client.get(url.removeprefix("http://testserver")).status_code == 303
    return client


@pytest.mark.parametrize(
    "permissions",
    [{"sections": {"database": "read"}}, {"sections": {"database": "write"}, "deny": ["database.write"]}],
)
def test_embed_without_database_write_sees_rows_and_cannot_change_them(
    project_ref: str, upstream: Any, settings: Any, permissions: dict[str, Any]
) -> None:
    client = _embed(project_ref, permissions, settings)
    html = client.get(table_url(project_ref, "books")).content.decode()
    assert "<td>Book 1</td>" in html and "data-db-edit" not in html and "Insert row" not in html
    page = client.get(row_url(project_ref, "books", ["7"])).content.decode()
    assert "Save changes" not in page and "This session may only read" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    posted = client.post(
        row_url(project_ref, "books", ["7"], name="database-row-save"),
        {"csrfmiddlewaretoken": token, "c0": "7", "c1": "Embed edit", "write_production": "1"},
    )
    assert posted.status_code == 403
    assert sql(upstream, project_ref, "select title from books where id = 7") == [{"title": "Book 7"}]


def test_embed_with_database_write_edits_rows(project_ref: str, upstream: Any, settings: Any) -> None:
    client = _embed(project_ref, {"sections": {"database": "write"}}, settings)
    page = client.get(row_url(project_ref, "authors", ["1"])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    posted = client.post(
        row_url(project_ref, "authors", ["1"], name="database-row-save"),
        {"csrfmiddlewaretoken": token, "c1": "Annie", "write_production": "1"},
    )
    assert posted.status_code == 302
    assert sql(upstream, project_ref, "select name from authors where id = 1") == [{"name": "Annie"}]
    assert AuditEvent.objects.get(action="database.update").actor_label == "embed:end-user-7"


def picker_url(ref: str, column: str, q: str | None = None, table: str = "books") -> str:
    from urllib.parse import urlencode

    params = {"schema": "public", "table": table, "column": column, **({"q": q} if q is not None else {})}
    return reverse("platformkit:database-references", args=[ref]) + "?" + urlencode(params)


def picked(html: str) -> list[tuple[str, str]]:
    """The picker's choices as (key, what the button says)."""
    return [
        (key, re.sub(r"<[^>]+>", "", text).strip())
        for key, text in re.findall(r'data-db-pick="([^"]*)" data-db-pick-for="id_c2">(.*?)</button>', html, re.S)
    ]


def test_the_row_editor_picks_a_foreign_key_from_a_search(
    operator_client: Client, upstream: Any, project_ref: str
) -> None:
    sql(upstream, project_ref, "insert into authors (name) values ('<b>Bold</b> 100%'), ('Bobby')")
    page = operator_client.get(row_url(project_ref, "books", ["7"])).content.decode()
    assert_valid_html(page)
    picker = re.search(r'data-db-picker="author_id">.*?hx-get="([^"]+)"', page, re.S)
    assert picker is not None and "Find in public.authors" in page
    assert 'data-db-picker="title"' not in page  # no foreign key, no picker
    url = picker.group(1).replace("&amp;", "&")
    # Every author when nothing is typed; by text, case-insensitively; by key, the exact key first.
    everyone = operator_client.get(url, headers={"HX-Request": "true"})
    assert everyone.status_code == 200
    assert_valid_html(everyone.content, fragment=True)
    assert [key for key, _ in picked(everyone.content.decode())] == ["1", "2", "3", "4"]
    assert picked(operator_client.get(url + "&q=BOB").content.decode()) == [("2", "2 · Bob"), ("4", "4 · Bobby")]
    assert picked(operator_client.get(url + "&q=3").content.decode())[0][0] == "3"
    # The label is escaped, and % in the search is a percent sign, not a wildcard.
    bold = operator_client.get(url + "&q=100%25").content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; 100%" in bold and "<b>" not in bold and [k for k, _ in picked(bold)] == ["3"]
    nothing = operator_client.get(url + "&q=%3Cscript%3E").content.decode()
    assert "data-db-picker-empty" in nothing and "“&lt;script&gt;”" in nothing
    # Only a foreign key column has a picker.
    assert operator_client.get(picker_url(project_ref, "title")).status_code == 400
    assert operator_client.get(picker_url(project_ref, "author_id", table="nope")).status_code == 404
    # What is picked is saved like any typed value.
    page_data = dict(re.findall(r'<input type="(?:text|number|date)" name="(c\d+)" value="([^"]*)"', page))
    saved = operator_client.post(
        row_url(project_ref, "books", ["7"], name="database-row-save"),
        {**page_data, "c2": "4", "c4": "true", "c5": "happy", "c7": '{"n": 1}', "n10": "1", "write_production": "1"},
    )
    assert saved.status_code == 302
    assert sql(upstream, project_ref, "select author_id from books where id = 7") == [{"author_id": 4}]


def export_url(ref: str, table: str, **params: str) -> str:
    from urllib.parse import urlencode

    return (
        reverse("platformkit:database-export", args=[ref])
        + "?"
        + urlencode({"schema": "public", "table": table, **params})
    )


def download(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content).decode()


def test_json_export_keeps_types_and_filters(operator_client: Client, upstream: Any, project_ref: str) -> None:
    import json

    html = operator_client.get(table_url(project_ref, "books", fc="mood", fo="eq", fv="happy")).content.decode()
    link = re.search(r'<a class="[^"]*" href="([^"]+)" download>Export JSON</a>', html)
    assert link is not None and "fc=mood" in link.group(1) and "format=json" in link.group(1)
    sql(upstream, project_ref, "update books set mood = 'sad', meta = null, price = 123456.78 where id = 3")
    response = operator_client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200 and response.streaming and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="public_books.json"'
    body = b"".join(response.streaming_content).decode()
    rows = json.loads(body)
    assert len(rows) == 249 and 3 not in [row["id"] for row in rows]
    first = rows[0]
    assert list(first) == [
        "id",
        "title",
        "author_id",
        "price",
        "in_print",
        "mood",
        "tags",
        "meta",
        "published",
        "added",
        "code",
        "title_upper",
    ]
    assert first["id"] == 1 and first["author_id"] == 2 and first["in_print"] is True and first["code"] is None
    assert first["tags"] == ["a", "b"] and first["meta"] == {"n": 1} and first["published"] == "2024-01-02"
    assert '"price":1.50' in body  # the numeric's digits as stored, a JSON number
    # Formula-looking text is data in JSON: kept as it is.
    sql(upstream, project_ref, "update books set title = '=cmd()' where id = 1")
    again = json.loads(download(operator_client, export_url(project_ref, "books", format="json")))
    assert again[0]["title"] == "=cmd()" and len(again) == 250
    assert operator_client.get(export_url(project_ref, "books", format="xml")).status_code == 400
    # Empty and without a primary key (paged by ctid) it is still a JSON array.
    assert json.loads(download(operator_client, export_url(project_ref, "loose", format="json"))) == [
        {"note": "x"},
        {"note": "y"},
        {"note": "<script>alert(1)</script>"},
    ]
    sql(upstream, project_ref, "create table public.empty (id int primary key)")
    empty = operator_client.get(export_url(project_ref, "empty", format="json"))
    assert json.loads(b"".join(empty.streaming_content)) == []


def test_exports_read_page_after_page_in_the_order_shown(
    operator_client: Client, project_ref: str, monkeypatch: Any
) -> None:
    import csv
    import io
    import json

    from platformkit.sections.database import services

    monkeypatch.setattr(services, "EXPORT_PAGE_SIZE", 40)  # 250 rows: seven pages
    by_price = export_url(project_ref, "books", format="json", sort="price", dir="desc")
    rows = json.loads(download(operator_client, by_price))
    assert [row["id"] for row in rows] == list(range(250, 0, -1))
    lines = list(csv.reader(io.StringIO(download(operator_client, export_url(project_ref, "books")))))
    assert [line[0] for line in lines[1:]] == [str(n) for n in range(1, 251)]
