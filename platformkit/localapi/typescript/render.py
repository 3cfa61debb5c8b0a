"""The ``Database`` type as ``supabase gen types --lang typescript`` prints it (postgres-meta's
shape, formatted as prettier leaves it: two-space indents, no semicolons), from a :class:`Catalog`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from .catalog import Catalog, Column, Function, Relation

NEVER = "[_ in never]: never"
NUMBERS = frozenset({"int2", "int4", "int8", "float4", "float8", "numeric", "oid"})
STRINGS = frozenset(
    {"bytea", "bpchar", "char", "varchar", "date", "text", "citext", "name", "time", "timetz", "timestamp",
     "timestamptz", "uuid", "vector", "interval", "inet", "cidr", "macaddr", "money", "xml"}
)  # fmt: skip
IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")

JSON_TYPE = """export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]
"""


def key(name: str) -> str:
    return name if IDENTIFIER.match(name) else json.dumps(name)


def block(head: str, lines: Iterable[str], indent: int, empty: str = NEVER) -> list[str]:
    """``head: {`` ... ``}``, each line indented one level more (``empty`` when there are none)."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    body = list(lines)
    return [f"{pad}{head}{{", *[inner + line if line else line for line in (body or [empty])], f"{pad}}}"]


class Renderer:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.relations = {(r.schema, r.name): r for r in catalog.relations}

    def ts_type(self, pg_type: str) -> str:
        if pg_type == "bool":
            return "boolean"
        if pg_type in NUMBERS:
            return "number"
        if pg_type in STRINGS:
            return "string"
        if pg_type in ("json", "jsonb"):
            return "Json"
        if pg_type == "void":
            return "undefined"
        if pg_type == "record":
            return "Record<string, unknown>"
        if pg_type.startswith("_"):
            return f"{self.ts_type(pg_type[1:])}[]" if self._simple(pg_type[1:]) else f"({self.ts_type(pg_type[1:])})[]"
        for schema, name in self.catalog.enums:
            if name == pg_type:
                return f'Database[{json.dumps(schema)}]["Enums"][{json.dumps(name)}]'
        for schema, name in self.catalog.composites:
            if name == pg_type:
                return f'Database[{json.dumps(schema)}]["CompositeTypes"][{json.dumps(name)}]'
        for relation in self.catalog.relations:
            if relation.name == pg_type:
                section = "Tables" if relation.kind == "table" else "Views"
                return f'Database[{json.dumps(relation.schema)}]["{section}"][{json.dumps(relation.name)}]["Row"]'
        return "unknown"

    def _simple(self, pg_type: str) -> bool:
        return pg_type == "bool" or pg_type in NUMBERS or pg_type in STRINGS or pg_type in ("json", "jsonb")

    def row(self, column: Column) -> str:
        return f"{key(column.name)}: {self.ts_type(column.type)}{' | null' if column.nullable else ''}"

    def insert(self, column: Column) -> str:
        if column.identity == "a":
            return f"{key(column.name)}?: never"
        optional = "?" if column.nullable or column.has_default else ""
        return f"{key(column.name)}{optional}: {self.ts_type(column.type)}{' | null' if column.nullable else ''}"

    def update(self, column: Column) -> str:
        if column.identity == "a":
            return f"{key(column.name)}?: never"
        return f"{key(column.name)}?: {self.ts_type(column.type)}{' | null' if column.nullable else ''}"

    def view_write(self, column: Column) -> str:
        if not column.updatable:
            return f"{key(column.name)}?: never"
        return f"{key(column.name)}?: {self.ts_type(column.type)} | null"

    def relationships(self, relation: Relation, indent: int) -> list[str]:
        keys = sorted(
            (fk for fk in self.catalog.foreign_keys if (fk.schema, fk.relation) == (relation.schema, relation.name)),
            key=lambda fk: (fk.name, fk.referenced_relation, json.dumps(fk.referenced_columns)),
        )
        pad = "  " * indent
        if not keys:
            return [f"{pad}Relationships: []"]
        out = [f"{pad}Relationships: ["]
        for fk in keys:
            out += [
                f"{pad}  {{",
                f"{pad}    foreignKeyName: {json.dumps(fk.name)}",
                f"{pad}    columns: {json.dumps(fk.columns, separators=(', ', ': '))}",
                f"{pad}    isOneToOne: {'true' if fk.one_to_one else 'false'}",
                f"{pad}    referencedRelation: {json.dumps(fk.referenced_relation)}",
                f"{pad}    referencedColumns: {json.dumps(fk.referenced_columns, separators=(', ', ': '))}",
                f"{pad}  }},",
            ]
        return [*out, f"{pad}]"]

    def relation(self, relation: Relation, indent: int) -> list[str]:
        columns = sorted(relation.columns, key=lambda c: c.name)
        lines = block("Row: ", [self.row(c) for c in columns], indent + 1, "")
        if relation.kind == "table":
            lines += block("Insert: ", [self.insert(c) for c in columns], indent + 1, "")
            lines += block("Update: ", [self.update(c) for c in columns], indent + 1, "")
        elif relation.updatable:
            lines += block("Insert: ", [self.view_write(c) for c in columns], indent + 1, "")
            lines += block("Update: ", [self.view_write(c) for c in columns], indent + 1, "")
        lines += self.relationships(relation, indent + 1)
        pad = "  " * indent
        return [f"{pad}{key(relation.name)}: {{", *lines, f"{pad}}}"]

    def inline(self, members: list[str], indent: int) -> str:
        """``{ a: number; b?: string }`` on one line when it fits in 80 columns, else one per line."""
        one_line = "{ " + "; ".join(members) + " }"
        if len("  " * indent) + len(one_line) <= 80:
            return one_line
        pad = "  " * indent
        return "{\n" + "".join(f"{pad}  {member}\n" for member in members) + pad + "}"

    def function(self, name: str, overloads: list[Function], indent: int) -> list[str]:
        pad = "  " * (indent + 1)
        variants = []
        for fn in overloads:
            inputs = [a for a in fn.arguments if a.mode in ("i", "b", "v")]
            if not inputs:
                variants.append("Record<PropertyKey, never>")
            else:
                variants.append(
                    self.inline(
                        [f"{key(a.name)}{'?' if a.has_default else ''}: {self.ts_type(a.type)}" for a in inputs],
                        indent + 1,
                    )
                )
        first = overloads[0]
        table_columns = [a for a in first.arguments if a.mode == "t"]
        if table_columns:
            returns = self.inline([f"{key(a.name)}: {self.ts_type(a.type)}" for a in table_columns], indent + 1)
        elif first.returns_relation and first.returns_relation in self.relations:
            columns = sorted(self.relations[first.returns_relation].columns, key=lambda c: c.name)
            returns = self.inline([self.row(c) for c in columns], indent + 1)
        else:
            returns = self.ts_type(first.returns)
        returns += "[]" if first.returns_set else ""
        args = " | ".join(variants)
        return [
            f"{'  ' * indent}{key(name)}: {{",
            f"{pad}Args: {args}",
            f"{pad}Returns: {returns}",
            f"{'  ' * indent}}}",
        ]

    def functions(self, schema: str, indent: int) -> list[str]:
        grouped: dict[str, list[Function]] = {}
        for fn in sorted(self.catalog.functions, key=lambda f: f.name):
            inputs = [a for a in fn.arguments if a.mode in ("i", "b", "v")]
            # callable through PostgREST: every input named, or a single unnamed one
            if fn.schema == schema and (all(a.name for a in inputs) or len(inputs) == 1):
                grouped.setdefault(fn.name, []).append(fn)
        lines: list[str] = []
        for name, overloads in grouped.items():
            lines += self.function(name, overloads, indent + 1)
        return [f"{'  ' * indent}Functions: {{", *(lines or [f"{'  ' * (indent + 1)}{NEVER}"]), f"{'  ' * indent}}}"]

    def schema(self, schema: str) -> list[str]:
        relations = sorted((r for r in self.catalog.relations if r.schema == schema), key=lambda r: r.name)
        tables = [line for r in relations if r.kind == "table" for line in self.relation(r, 3)]
        views = [line for r in relations if r.kind == "view" for line in self.relation(r, 3)]
        enums = sorted((name, labels) for (s, name), labels in self.catalog.enums.items() if s == schema)
        composites = sorted((name, attrs) for (s, name), attrs in self.catalog.composites.items() if s == schema)
        composite_lines = [
            line
            for name, attrs in composites
            for line in block(f"{key(name)}: ", [f"{key(a)}: {self.ts_type(t)} | null" for a, t in attrs], 3, "")
        ]

        def section(title: str, lines: list[str]) -> list[str]:
            return ["    " + title + ": {", *(lines or ["      " + NEVER]), "    }"]

        return [
            f"  {key(schema)}: {{",
            *section("Tables", tables),
            *section("Views", views),
            *self.functions(schema, 2),
            *section("Enums", [f"      {key(n)}: {' | '.join(json.dumps(v) for v in labels)}" for n, labels in enums]),
            *section("CompositeTypes", composite_lines),
            "  }",
        ]

    def constants(self) -> list[str]:
        out = ["export const Constants = {"]
        for schema in self.catalog.schemas:
            enums = sorted((n, labels) for (s, n), labels in self.catalog.enums.items() if s == schema)
            if enums:
                out += [f"  {key(schema)}: {{", "    Enums: {"]
                out += [f"      {key(n)}: [{', '.join(json.dumps(v) for v in labels)}]," for n, labels in enums]
                out += ["    },", "  },"]
            else:
                out += [f"  {key(schema)}: {{", "    Enums: {},", "  },"]
        return [*out, "} as const"]

    def render(self, default_schema: str) -> str:
        database = ["export type Database = {"]
        for schema in self.catalog.schemas:
            database += self.schema(schema)
        database.append("}")
        parts = [JSON_TYPE, "\n".join(database) + "\n", HELPERS.replace("__DEFAULT__", json.dumps(default_schema))]
        return "\n".join(parts) + "\n".join(self.constants()) + "\n"


def _helper(name: str, section: str, infer: str | None) -> str:
    """One of the generated accessors (``Tables<"name">``, ``Enums<...>``...)."""
    both = section == "Tables|Views"
    keys = 'keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])' if both else f'keyof DefaultSchema["{section}"]'
    pick = (
        '(Database[Options["schema"]]["Tables"] & Database[Options["schema"]]["Views"])'
        if both
        else f'Database[Options["schema"]]["{section}"]'
    )
    default_pick = '(DefaultSchema["Tables"] & DefaultSchema["Views"])' if both else f'DefaultSchema["{section}"]'
    if infer:
        named = f"{pick}[Name] extends {{ {infer}: infer T }} ? T : never"
        default = f"{default_pick}[Options] extends {{ {infer}: infer T }} ? T : never"
    else:
        named, default = f"{pick}[Name]", f"{default_pick}[Options]"
    return (
        f"export type {name}<\n"
        f"  Options extends {keys} | {{ schema: keyof Database }},\n"
        f'  Name extends Options extends {{ schema: keyof Database }} ? keyof {pick} : never = never,\n'
        f"> = Options extends {{ schema: keyof Database }}\n"
        f"  ? {named}\n"
        f"  : Options extends {keys}\n"
        f"    ? {default}\n"
        f"    : never\n"
    )  # fmt: skip


HELPERS = (
    "type DefaultSchema = Database[Extract<keyof Database, __DEFAULT__>]\n\n"
    + "\n".join(
        [
            _helper("Tables", "Tables|Views", "Row"),
            _helper("TablesInsert", "Tables", "Insert"),
            _helper("TablesUpdate", "Tables", "Update"),
            _helper("Enums", "Enums", None),
            _helper("CompositeTypes", "CompositeTypes", None),
        ]
    )
    + "\n"
)
