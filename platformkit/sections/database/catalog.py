"""What the database holds, read from PostgreSQL's catalog in one ``database/query`` each: the
list of schemas and tables (one query for all of them, however many there are) and the columns,
primary key and foreign keys of one table or of a whole schema (the diagram).

Names that reach SQL elsewhere in this section come from here and only from here, quoted with
:func:`quote`: a name in a URL is looked up in the catalog's answer first, never spliced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Schemas PostgreSQL keeps for itself: not shown.
HIDDEN_SCHEMAS_SQL = "n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'"

# The estimate is the planner's (``reltuples``); a table never analysed has -1 there, and then
# the statistics' live-tuple count stands in. Neither counts rows: that would read every table.
_ESTIMATE = "case when c.reltuples >= 0 then c.reltuples::bigint else coalesce(s.n_live_tup, 0) end"

SUMMARY_SQL = f"""
select n.nspname as schema, c.relname as name, c.relkind = 'p' as partitioned, c.relrowsecurity as rls,
  {_ESTIMATE} as estimate, pg_total_relation_size(c.oid) as size
from pg_namespace n
left join pg_class c on c.relnamespace = n.oid and c.relkind in ('r', 'p') and not c.relispartition
left join pg_stat_all_tables s on s.relid = c.oid
where {HIDDEN_SCHEMAS_SQL}
order by n.nspname, c.relname
"""

# Columns, primary key and foreign keys of the tables of schema $1 (only table $2 unless null).
DETAIL_SQL = f"""
select n.nspname as schema, c.relname as name, c.relrowsecurity as rls, {_ESTIMATE} as estimate,
  (select coalesce(json_agg(json_build_object(
      'name', a.attname,
      'type', format_type(a.atttypid, a.atttypmod),
      'cast', format_type(a.atttypid, null),
      'base', eff.typname, 'category', eff.typcategory, 'typtype', eff.typtype,
      'element', el.typname, 'element_typtype', el.typtype,
      'labels', (select json_agg(e.enumlabel order by e.enumsortorder) from pg_enum e
                 where e.enumtypid = coalesce(el.oid, eff.oid)),
      'nullable', not a.attnotnull,
      'default', pg_get_expr(d.adbin, d.adrelid),
      'identity', a.attidentity, 'generated', a.attgenerated
    ) order by a.attnum), '[]')
   from pg_attribute a
   join pg_type t on t.oid = a.atttypid
   join pg_type eff on eff.oid = case when t.typtype = 'd' then t.typbasetype else t.oid end
   left join pg_type el on el.oid = eff.typelem and eff.typcategory = 'A'
   left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
   where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns,
  (select coalesce(json_agg(a.attname order by k.ord), '[]')
   from pg_index i cross join unnest(i.indkey) with ordinality k(attnum, ord)
   join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
   where i.indrelid = c.oid and i.indisprimary) as primary_key,
  (select coalesce(json_agg(json_build_object(
      'name', con.conname, 'ref_schema', rn.nspname, 'ref_table', rc.relname,
      'columns', (select json_agg(a.attname order by k.ord) from unnest(con.conkey) with ordinality k(attnum, ord)
                  join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum),
      'ref_columns', (select json_agg(a.attname order by k.ord) from unnest(con.confkey) with ordinality k(attnum, ord)
                      join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum)
    ) order by con.conname), '[]')
   from pg_constraint con join pg_class rc on rc.oid = con.confrelid join pg_namespace rn on rn.oid = rc.relnamespace
   where con.conrelid = c.oid and con.contype = 'f') as foreign_keys
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_stat_all_tables s on s.relid = c.oid
where n.nspname = $1 and ($2::text is null or c.relname = $2) and c.relkind in ('r', 'p') and not c.relispartition
order by c.relname
"""

INTEGER_TYPES = frozenset({"int2", "int4", "int8"})
DECIMAL_TYPES = frozenset({"numeric", "float4", "float8"})
JSON_TYPES = frozenset({"json", "jsonb"})
TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "name", "citext"})


def quote(name: str) -> str:
    """A catalog name as an SQL identifier (what ``quote_ident`` and psycopg's Identifier do)."""
    return '"' + name.replace('"', '""') + '"'


def kind_of(base: str, category: str, typtype: str) -> str:
    """The editor's kind for a (non-array) type: which widget, which check before sending."""
    if typtype == "e":
        return "enum"
    if base in INTEGER_TYPES:
        return "integer"
    if base in DECIMAL_TYPES:
        return "decimal"
    if base == "bool":
        return "boolean"
    if base in JSON_TYPES:
        return "json"
    if base == "uuid":
        return "uuid"
    if base == "date":
        return "date"
    if base in ("timestamp", "timestamptz"):
        return "timestamp"
    if base in TEXT_TYPES or category == "S":
        return "text"
    return "other"  # time, interval, bytea, inet, ranges...: as text, PostgreSQL checks it


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as PostgreSQL shows it: ``character varying(255)``, ``mood[]``
    cast: str  # the type without modifiers, for ``$1::<cast>`` (assignment then checks length)
    kind: str  # :func:`kind_of`; "array" for arrays (``element_kind`` says of what)
    element_kind: str | None
    labels: tuple[str, ...]  # an enum's (or an enum array's) values
    nullable: bool
    default: str | None
    identity: str  # "a" always, "d" by default, "" none
    generated: str  # "s" stored, "" none

    @property
    def read_only(self) -> bool:
        """Generated and identity columns are PostgreSQL's to fill, not the editor's."""
        return bool(self.identity or self.generated)

    @property
    def sortable(self) -> bool:
        return self.kind != "json" or self.cast == "jsonb"

    @property
    def quoted(self) -> str:
        return quote(self.name)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Column:
        is_array = data["category"] == "A" and data.get("element") is not None
        element_kind = kind_of(data["element"], "", data.get("element_typtype") or "") if is_array else None
        return cls(
            name=data["name"],
            type=data["type"],
            cast=data["cast"],
            kind="array" if is_array else kind_of(data["base"], data["category"], data["typtype"]),
            element_kind=element_kind,
            labels=tuple(data.get("labels") or ()),
            nullable=bool(data["nullable"]),
            default=data.get("default"),
            identity=data.get("identity") or "",
            generated=data.get("generated") or "",
        )


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableSummary:
    schema: str
    name: str
    estimate: int
    size: int
    rls: bool
    partitioned: bool


@dataclass(frozen=True)
class SchemaSummary:
    name: str
    tables: list[TableSummary] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    rls: bool
    estimate: int
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]

    @property
    def qualified(self) -> str:
        return f"{quote(self.schema)}.{quote(self.name)}"

    @property
    def writable(self) -> bool:
        """Rows are changed by primary key only: without one there is no telling rows apart."""
        return bool(self.primary_key)

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)

    def key_columns(self) -> tuple[Column, ...]:
        """The primary key's columns, in the key's order."""
        return tuple(column for name in self.primary_key if (column := self.column(name)) is not None)

    def link_for(self, column: str) -> ForeignKey | None:
        """The single-column foreign key ``column`` is (the grid links its values)."""
        return next((fk for fk in self.foreign_keys if fk.columns == (column,)), None)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Table:
        columns = tuple(Column.from_json(column) for column in data["columns"] or ())
        by_order = {column.name: column for column in columns}
        return cls(
            schema=data["schema"],
            name=data["name"],
            rls=bool(data["rls"]),
            estimate=int(data["estimate"] or 0),
            columns=columns,
            # Ordered as the key is, which is how keyset pagination compares rows.
            primary_key=tuple(name for name in data["primary_key"] or () if name in by_order),
            foreign_keys=tuple(
                ForeignKey(
                    fk["name"], tuple(fk["columns"]), fk["ref_schema"], fk["ref_table"], tuple(fk["ref_columns"])
                )
                for fk in data["foreign_keys"] or ()
            ),
        )


def schemas_from_rows(rows: list[dict[str, Any]]) -> list[SchemaSummary]:
    schemas: dict[str, SchemaSummary] = {}
    for row in rows:
        schema = schemas.setdefault(row["schema"], SchemaSummary(row["schema"]))
        if row["name"] is not None:
            schema.tables.append(
                TableSummary(
                    row["schema"],
                    row["name"],
                    int(row["estimate"] or 0),
                    int(row["size"] or 0),
                    bool(row["rls"]),
                    bool(row["partitioned"]),
                )
            )
    return list(schemas.values())
