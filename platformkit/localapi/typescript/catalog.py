"""What the TypeScript types are made of, read from a project's own catalog (``pg_catalog``):
tables, views, their columns and foreign keys, functions, enums and composite types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg


@dataclass
class Column:
    name: str
    type: str  # the element type's name, with a leading "_" for an array (as pg_type names them)
    nullable: bool
    has_default: bool
    identity: str  # "", "a" (ALWAYS) or "d" (BY DEFAULT)
    updatable: bool = True


@dataclass
class Relation:
    schema: str
    name: str
    kind: str  # "table" or "view"
    columns: list[Column] = field(default_factory=list)
    updatable: bool = False  # a view that takes INSERT and UPDATE


@dataclass
class ForeignKey:
    schema: str
    relation: str
    name: str
    columns: list[str]
    one_to_one: bool
    referenced_schema: str
    referenced_relation: str
    referenced_columns: list[str]


@dataclass
class Argument:
    name: str
    mode: str  # i, o, b (inout), v (variadic), t (table)
    type: str
    has_default: bool


@dataclass
class Function:
    schema: str
    name: str
    arguments: list[Argument]
    returns: str
    returns_relation: tuple[str, str] | None  # (schema, name) when it returns a table's or view's row
    returns_set: bool


@dataclass
class Catalog:
    schemas: list[str]
    relations: list[Relation]
    foreign_keys: list[ForeignKey]
    functions: list[Function]
    enums: dict[tuple[str, str], list[str]]
    composites: dict[tuple[str, str], list[tuple[str, str]]]  # (schema, name) -> [(attribute, type)]


RELATIONS_SQL = """
select c.oid, n.nspname, c.relname, c.relkind,
       coalesce(pg_relation_is_updatable(c.oid, false) & 12 = 12, false) as updatable
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'f', 'v', 'm')
"""

COLUMNS_SQL = """
select a.attrelid, a.attname, t.typname, not a.attnotnull as nullable, a.atthasdef or a.attidentity <> ''
       or a.attgenerated <> '' as has_default, a.attidentity,
       coalesce(pg_column_is_updatable(a.attrelid, a.attnum, false), false) as updatable
from pg_attribute a join pg_type t on t.oid = a.atttypid
where a.attrelid = any(%(oids)s) and a.attnum > 0 and not a.attisdropped
"""

FOREIGN_KEYS_SQL = """
select n.nspname, c.relname, k.conname, rn.nspname as referenced_schema, r.relname as referenced_relation,
       array(select a.attname from unnest(k.conkey) with ordinality u(attnum, i)
             join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum order by u.i) as columns,
       array(select a.attname from unnest(k.confkey) with ordinality u(attnum, i)
             join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.attnum
             order by u.i) as referenced_columns,
       exists(select 1 from pg_index x where x.indrelid = k.conrelid and (x.indisunique or x.indisprimary)
              and (select array_agg(v order by v) from unnest(x.indkey::int2[]) v)
                = (select array_agg(v order by v) from unnest(k.conkey) v)) as one_to_one
from pg_constraint k
join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
join pg_class r on r.oid = k.confrelid join pg_namespace rn on rn.oid = r.relnamespace
where k.contype = 'f' and n.nspname = any(%(schemas)s)
"""

FUNCTIONS_SQL = """
select n.nspname, p.proname, p.proretset, rt.typname as returns, rn.nspname as rel_schema, rc.relname as rel_name,
       coalesce(p.proargnames, '{}') as names, coalesce(p.proargmodes::text[], '{}') as modes,
       array(select t.typname from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(oid, i)
             join pg_type t on t.oid = u.oid order by u.i) as types,
       p.pronargs, p.pronargdefaults
from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_type rt on rt.oid = p.prorettype
left join pg_class rc on rc.oid = rt.typrelid and rc.relkind in ('r', 'p', 'v', 'm', 'f')
left join pg_namespace rn on rn.oid = rc.relnamespace
where n.nspname = any(%(schemas)s) and p.prokind = 'f'
  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
  and rt.typname not in ('trigger', 'event_trigger')
"""

ENUMS_SQL = """
select n.nspname, t.typname, array_agg(e.enumlabel order by e.enumsortorder) as labels
from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_enum e on e.enumtypid = t.oid
where n.nspname = any(%(schemas)s) group by 1, 2
"""

COMPOSITES_SQL = """
select n.nspname, t.typname, array_agg(a.attname order by a.attnum) as names,
       array_agg(at.typname order by a.attnum) as types
from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_class c on c.oid = t.typrelid
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
join pg_type at on at.oid = a.atttypid
where n.nspname = any(%(schemas)s) and c.relkind = 'c' group by 1, 2
"""


def read(conn: psycopg.Connection[Any], schemas: list[str]) -> Catalog:
    params: dict[str, Any] = {"schemas": schemas}
    found = conn.execute("select nspname from pg_namespace where nspname = any(%(schemas)s)", params)
    present = [row[0] for row in found]
    by_oid: dict[int, Relation] = {}
    for oid, schema, name, kind, updatable in conn.execute(RELATIONS_SQL, params):
        by_oid[oid] = Relation(schema, name, "view" if kind in ("v", "m") else "table", updatable=bool(updatable))
    for relid, name, type_name, nullable, has_default, identity, updatable in conn.execute(
        COLUMNS_SQL, {"oids": list(by_oid)}
    ):
        by_oid[relid].columns.append(Column(name, type_name, nullable, has_default, identity, updatable))
    foreign_keys = [
        ForeignKey(schema, relation, name, list(columns), bool(one), ref_schema, ref_relation, list(ref_columns))
        for schema, relation, name, ref_schema, ref_relation, columns, ref_columns, one in conn.execute(
            FOREIGN_KEYS_SQL, params
        )
    ]
    functions = []
    for schema, name, retset, returns, rel_schema, rel_name, names, modes, types, _nargs, ndefaults in conn.execute(
        FUNCTIONS_SQL, params
    ):
        modes = list(modes) or ["i"] * len(types)
        inputs = [index for index, mode in enumerate(modes) if mode in ("i", "b", "v")]
        defaulted = set(inputs[len(inputs) - ndefaults :]) if ndefaults else set()
        arguments = [
            Argument(names[index] if index < len(names) else "", modes[index], types[index], index in defaulted)
            for index in range(len(types))
        ]
        functions.append(
            Function(schema, name, arguments, returns, (rel_schema, rel_name) if rel_name else None, bool(retset))
        )
    enums = {(schema, name): list(labels) for schema, name, labels in conn.execute(ENUMS_SQL, params)}
    composites = {
        (schema, name): list(zip(names, types, strict=True))
        for schema, name, names, types in conn.execute(COMPOSITES_SQL, params)
    }
    return Catalog(sorted(present), list(by_oid.values()), foreign_keys, functions, enums, composites)
