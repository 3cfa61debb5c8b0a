"""``platformkit.sections.sql.services.analyse``, the SQL editor's destructive-statement guard,
on its own: a pure function of the SQL text (PostgreSQL's parser, no database)."""

from __future__ import annotations

import pytest

from platformkit.sections.sql import services
from platformkit.sections.sql.services import analyse, with_rls


def kinds(sql: str) -> list[tuple[str, str]]:
    return [(warning.kind, warning.message) for warning in analyse(sql).warnings]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("drop table public.t", ("drop", "DROP TABLE removes it and everything in it.")),
        ("drop view v", ("drop", "DROP VIEW removes it and everything in it.")),
        ("drop schema s cascade", ("drop", "DROP SCHEMA removes it and everything in it.")),
        ("truncate t", ("truncate", "TRUNCATE deletes every row of the table.")),
        ("delete from t", ("unfiltered", "DELETE without WHERE changes every row of t.")),
        ("update t set a = 1", ("unfiltered", "UPDATE without WHERE changes every row of t.")),
        ("alter table t drop column a", ("alter_drop", "ALTER TABLE t drops something (DropColumn).")),
        ("alter table t drop constraint c", ("alter_drop", "ALTER TABLE t drops something (DropConstraint).")),
        (
            "alter table t disable row level security",
            ("lockout", "Row level security is switched off on t: every row becomes reachable through the API."),
        ),
        ("alter role anon nologin", ("lockout", "Changing role anon can lock the dashboard and the API out.")),
        (
            "drop role authenticator",
            ("lockout", "Changing role authenticator can lock the dashboard and the API out."),
        ),
        (
            "alter database postgres set work_mem = '1MB'",
            ("lockout", "ALTER DATABASE can refuse connections or change every session."),
        ),
        ("set statement_timeout = 0", ("lockout", "SET statement_timeout changes what this session may do.")),
        (
            "set default_transaction_read_only = on",
            ("lockout", "SET default_transaction_read_only changes what this session may do."),
        ),
        ("set role postgres", ("lockout", "SET role changes what this session may do.")),
        ("revoke all on t from anon", ("lockout", "REVOKE from an API role can lock the API out.")),
        (
            "create table public.notes (id int)",
            (
                "no_rls",
                "New table public.notes has no row level security: anyone with the anon key can read and write it.",
            ),
        ),
        (
            "create table notes (id int)",  # no schema: public
            (
                "no_rls",
                "New table public.notes has no row level security: anyone with the anon key can read and write it.",
            ),
        ),
    ],
)
def test_risky_statements_need_confirmation(sql: str, expected: tuple[str, str]) -> None:
    analysis = analyse(sql)
    assert kinds(sql) == [expected]
    assert analysis.needs_confirmation and analysis.writes and analysis.parse_error is None


@pytest.mark.parametrize(
    "sql",
    [
        "delete from t where id = 1",
        "update t set a = 1 where id = 2",
        "alter table t add column b int",
        "alter role bob nologin",  # not one of the API's roles
        "revoke all on t from bob",
        "grant select on t to anon",
        "set search_path = app",
        "insert into t values (1)",
        "create table private.n (id int)",  # only public is exposed through the API
        "create table public.n (id int); alter table public.n enable row level security",
        "create table n (id int); alter table public.n enable row level security",
    ],
)
def test_ordinary_writes_need_no_confirmation(sql: str) -> None:
    analysis = analyse(sql)
    assert analysis.warnings == [] and not analysis.needs_confirmation
    assert analysis.writes and analysis.tables_without_rls == []


@pytest.mark.parametrize("sql", ["select 1", "explain select 1", "show all", "select 1; select 2"])
def test_reads_are_not_writes(sql: str) -> None:
    analysis = analyse(sql)
    assert not analysis.writes and not analysis.needs_confirmation


def test_every_statement_of_a_script_is_checked() -> None:
    sql = "truncate a; select 1; delete from b; create table public.c (id int); drop index i"
    assert [warning.kind for warning in analyse(sql).warnings] == ["truncate", "unfiltered", "drop", "no_rls"]
    assert analyse(sql).tables_without_rls == ["public.c"]


def test_new_tables_without_rls_are_listed_for_the_rewrite() -> None:
    sql = 'create table public.a (id int); create table "My T" (id int); alter table public.a enable row level security'
    analysis = analyse(sql)
    assert analysis.tables_without_rls == ["public.My T"]
    rewritten = with_rls(sql, analysis.tables_without_rls)
    assert rewritten.endswith(';\nalter table "public"."My T" enable row level security;')
    assert analyse(rewritten).tables_without_rls == []


def test_unparsable_sql_is_left_to_postgresql() -> None:
    analysis = analyse("selec 1")
    assert analysis.parse_error and analysis.writes  # not known to be a read: never run as one
    assert analysis.warnings == [] and not analysis.needs_confirmation


def test_empty_sql_has_nothing_to_confirm() -> None:
    analysis = analyse("")
    assert analysis.warnings == [] and not analysis.writes and analysis.parse_error is None


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "with x as (delete from todos returning *) select count(*) from x",
            "DELETE without WHERE changes every row of todos.",
        ),
        (
            "with x as (update todos set done = true returning *) select * from x",
            "UPDATE without WHERE changes every row of todos.",
        ),
        ("explain analyze delete from todos", "DELETE without WHERE changes every row of todos."),
        (
            "with d as (delete from todos returning *) insert into archive select * from d",
            "DELETE without WHERE changes every row of todos.",
        ),
        (
            "select * from (select 1) s; with x as (delete from a returning 1) select 1",
            "DELETE without WHERE changes every row of a.",
        ),
    ],
)
def test_a_data_modifying_statement_inside_another_is_seen(sql: str, message: str) -> None:
    found = analyse(sql)
    assert [warning.message for warning in found.warnings] == [message] and found.writes


def test_filtered_nested_changes_need_no_confirmation() -> None:
    found = analyse("with x as (delete from todos where id = 1 returning *) select count(*) from x")
    assert found.warnings == [] and found.writes
    assert len(analyse("delete from todos").warnings) == 1  # the top-level DELETE is counted once


@pytest.mark.parametrize(
    ("sql", "warned"),
    [
        ("explain delete from todos", False),  # planned, not run
        ("explain (analyze false) delete from todos", False),
        ("explain analyze delete from todos", True),
        ("explain (analyze) update todos set done = true", True),
        ("explain (analyze true) delete from todos", True),
    ],
)
def test_explain_warns_only_when_it_runs_the_statement(sql: str, warned: bool) -> None:
    assert bool(analyse(sql).warnings) is warned


@pytest.mark.parametrize(
    "sql",
    [
        "select 1; select 2",  # two statements: each runs as written
        "select * from todos for update",  # a lock, not just a read
        "select * into copy_of_todos from todos",  # creates a table
        "with gone as (delete from todos returning *) select * from gone",  # changes rows
        "insert into todos values (1)",
        "explain select 1",
        "selec 1",  # PostgreSQL reports its own syntax error on the text as written
    ],
)
def test_limited_leaves_everything_but_one_plain_select(sql: str) -> None:
    assert services.limited(sql) is None


def test_limited_wraps_one_plain_select_reading_one_row_past_the_grid() -> None:
    wrapped = services.limited("  with t as (select 1 as a) select * from t order by a -- the end\n;  ", cap=500)
    assert wrapped is not None and wrapped.sql == (
        "select * from (\nwith t as (select 1 as a) select * from t order by a -- the end\n)"
        " as platformkit_grid limit 501"
    )
    assert (
        getattr(services.limited("values (1), (2)", cap=10), "sql", None)
        == "select * from (\nvalues (1), (2)\n) as platformkit_grid limit 11"
    )


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "do $$ begin delete from todos where id > 1; end $$",
            [("procedural", "The DO block changes data or the schema: DELETE from todos.")],
        ),
        (
            "do $$ declare r record; begin for r in select * from t loop"
            " update t set a = 1 where id = r.id; end loop; end $$",
            [("procedural", "The DO block changes data or the schema: UPDATE t.")],
        ),
        (
            "do $$ begin if true then truncate t; end if; end $$",
            [
                ("procedural", "The DO block changes data or the schema: TRUNCATE t."),
                ("truncate", "In the DO block: TRUNCATE deletes every row of the table."),
            ],
        ),
        (
            "do $$ begin execute 'select 1'; end $$",
            [
                (
                    "procedural",
                    "The DO block runs SQL built at run time (EXECUTE), which cannot be checked here:"
                    " confirm only if you know what it does.",
                )
            ],
        ),
        (
            "do language plv8 $$ plv8.execute('delete from t') $$",
            [
                (
                    "procedural",
                    "The DO block is written in plv8, which cannot be checked here:"
                    " confirm only if you know what it does.",
                )
            ],
        ),
        (
            "create function public.wipe() returns void language plpgsql as $$ begin delete from t; end $$",
            [
                ("procedural", "Function public.wipe changes data or the schema when it is called: DELETE from t."),
                ("unfiltered", "In function public.wipe: DELETE without WHERE changes every row of t."),
            ],
        ),
        (
            "create function f() returns void language sql as 'insert into log values (1)'",
            [("procedural", "Function f changes data or the schema when it is called: INSERT into log.")],
        ),
        (
            "create procedure p() begin atomic update t set a = 2 where id = 1; end",
            [("procedural", "Procedure p changes data or the schema when it is called: UPDATE t.")],
        ),
    ],
)
def test_procedural_code_that_changes_data_asks_first(sql: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(sql) == expected


@pytest.mark.parametrize(
    "sql",
    [
        "do $$ begin raise notice 'hello'; perform pg_sleep(0); end $$",
        "create function add(a int, b int) returns int language sql as 'select a + b'",
        "create function now_utc() returns timestamptz language plpgsql as $$ begin return now(); end $$",
        "create function c_thing() returns int language internal as 'int4pl'",
    ],
)
def test_procedural_code_that_only_reads_needs_no_confirmation(sql: str) -> None:
    assert kinds(sql) == []


def test_update_and_delete_statements_are_kept_for_the_row_estimate() -> None:
    analysis = analyse(
        "create table x (id int); delete from x; explain delete from x;"
        " with gone as (update x set id = 2 returning *) select * from gone"
    )
    assert analysis.estimable == ["delete from x", "with gone as (update x set id = 2 returning *) select * from gone"]
