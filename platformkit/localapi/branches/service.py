"""Preview branches in the local Management API: each branch is a real database of its own
(a project row with its own ref, so every ``/v1/projects/{ref}/...`` endpoint works on it),
cloned from its parent's schema and migration history (and data only with ``with_data``).

Workflows (create, merge, push, reset) are *action runs* whose steps move CREATED → RUNNING →
EXITED (or DEAD) in a background thread; callers follow ``workflow_run_id``.

Merge applies the branch's migrations that the parent lacks, in version order, in ONE
transaction on the parent: if one fails the parent is untouched and the run's ``migrate``
step is DEAD with PostgreSQL's message in the run's logs. Then the merge hooks run (the
``deploy`` step), e.g. promoting the branch's Edge Functions: those registered in
:data:`MERGE_HOOKS` when the :class:`Branching` was built, then those it was given.

:class:`Branching` works through narrow collaborators (a :class:`ProjectDirectory`, the
records, the config, the secrets and a ``forget`` callback), not the whole backend.
"""

from __future__ import annotations

import builtins
import difflib
import logging
import re
import secrets as random_secrets
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from platformkit.localapi import catalog, clone, control, processes, provision, recovery, shapes, sqlrun
from platformkit.localapi.config import LocalAPIConfig
from platformkit.localapi.control import one_row
from platformkit.localapi.errors import Problem, require
from platformkit.localapi.instances.manager import Instances
from platformkit.localapi.projects.directory import ProjectDirectory
from platformkit.localapi.secrets.service import Secrets
from platformkit.localapi.store import Store, random_ref
from platformkit.localapi.validation import int_param

logger = logging.getLogger("platformkit.localapi.branches")


@dataclass(frozen=True)
class MergeContext:
    """What a merge hook gets: the branch merged and the project it merged into. A hook that
    needs more (the functions store, the records) closes over it, as the bound method
    ``EdgeFunctions.promote_on_merge`` does."""

    branch: dict[str, Any]
    parent_ref: str
    branch_ref: str
    applied_versions: list[str]


MergeHook = Callable[[MergeContext], None]
Step = Callable[[Callable[[str], None]], None]  # a workflow step, given the run's log
Migration = tuple[str, str | None, list[str], list[str] | None]  # version, name, statements, rollback

# Called in order after a merge's migrations committed (the ``deploy`` step); one raising marks
# the step DEAD with its message (the migrations stay applied). Register with ``append`` before
# the local API starts: each :class:`Branching` copies this list when it is built, and runs its
# own ``merge_hooks`` (the local API's: promoting Edge Functions) after these.
MERGE_HOOKS: list[MergeHook] = []

SCHEMA_SQL = """
create table if not exists branches (
  id uuid primary key,
  name text not null,
  project_ref text not null unique,
  parent_project_ref text not null,
  git_branch text,
  persistent boolean not null default false,
  with_data boolean not null default false,
  status text not null,
  notify_url text,
  secret_names text[] not null default '{}',
  review_requested_at timestamptz,
  deletion_scheduled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (parent_project_ref, name)
);
create table if not exists action_runs (
  id text primary key,
  branch_id uuid not null,
  project_ref text not null,
  kind text not null,
  steps jsonb not null,
  logs text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table action_runs add column if not exists runner text;
alter table action_runs add column if not exists migration_version text;
"""

BRANCH_COLUMNS = (
    "id, name, project_ref, parent_project_ref, git_branch, persistent, with_data, status, notify_url,"
    " review_requested_at, deletion_scheduled_at, created_at, updated_at"
)
CREATE_FIELDS = frozenset(
    {
        "branch_name",
        "git_branch",
        "is_default",
        "persistent",
        "region",
        "desired_instance_size",
        "release_channel",
        "postgres_engine",
        "secrets",
        "with_data",
        "notify_url",
    }
)
UPDATE_FIELDS = frozenset(
    {"branch_name", "git_branch", "reset_on_push", "persistent", "status", "request_review", "notify_url"}
)
BRANCH_STATUSES = (
    "CREATING_PROJECT",
    "RUNNING_MIGRATIONS",
    "MIGRATIONS_PASSED",
    "MIGRATIONS_FAILED",
    "FUNCTIONS_DEPLOYED",
    "FUNCTIONS_FAILED",
)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DEFAULT_BRANCH_NAME = "main"
STALE_RUN = "10 minutes"  # no step of a live run stays this long without an update locally
SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _now_iso() -> str:
    return shapes.timestamp(datetime.now(UTC))


class Branching:
    def __init__(
        self,
        projects: ProjectDirectory,
        store: Store,
        config: LocalAPIConfig,
        secrets: Secrets,
        instances: Instances,
        *,
        forget: Callable[[str], None],
        merge_hooks: Iterable[MergeHook] = (),
    ) -> None:
        """``forget(ref)`` drops what is kept beside a deleted branch's database."""
        self.projects = projects
        self.store = store
        self.config = config
        self.secrets = secrets
        self.instances = instances
        self._forget = forget
        self.merge_hooks: list[MergeHook] = [*MERGE_HOOKS, *merge_hooks]
        self._url = psycopg.conninfo.make_conninfo(config.database_url, dbname=config.control_db)
        with self._connect() as conn:
            conn.execute("select pg_advisory_xact_lock(hashtext('platformkit.localapi.branches'))")
            conn.execute(SCHEMA_SQL)

    def end_interrupted_runs(self) -> None:
        """At start, once the instances are reconciled: a run whose thread died with its server
        can never finish: its unfinished steps become DEAD, so callers stop waiting and can
        reset (a branch being made ends INIT_FAILED; a merge cut short before its single
        transaction committed, MIGRATIONS_FAILED). A merge whose transaction had committed
        (production has every migration it was to apply) is finished instead: its migrate
        step EXITED, its deploy step (the merge hooks, which deploy only what differs) run
        again now.

        A run is known dead when the process that ran it (``runner``, see ``processes``) is
        gone from this host and this PID namespace; a run of another host's or another
        namespace's server (a container sharing the hostname), or of an older version's record,
        only once no step moved for ``STALE_RUN``."""
        with self._connect() as conn:
            rows = conn.execute(
                "select id, project_ref, branch_id, kind, steps, runner, migration_version,"
                " updated_at < now() - %s::interval as stale"
                " from action_runs where exists (select from jsonb_array_elements(steps) step"
                " where step->>'status' in ('CREATED', 'RUNNING'))",
                (STALE_RUN,),
            ).fetchall()
        for row in rows:
            gone = processes.is_gone(row["runner"])
            if not (row["stale"] or gone):
                continue
            # Finishing a merge runs its deploy step here: only when its runner is known gone. A
            # merely stale one (another host's or namespace's server, which may still be running
            # it) ends failed, as before, rather than deployed twice at once.
            if row["kind"] == "merge" and gone and self._finish_committed_merge(row):
                continue
            for index, step in enumerate(row["steps"]):
                if step["status"] in ("CREATED", "RUNNING"):
                    self._step(row["id"], index, "DEAD")
            self._log(row["id"], f"[{row['kind']}] failed: interrupted, the local API stopped during this run")
            if row["kind"] in ("create", "reset"):
                self._set_status({"id": row["branch_id"]}, "MIGRATIONS_FAILED")
                self.store.set_status(row["project_ref"], catalog.INIT_FAILED)
            elif row["kind"] == "merge":
                with self._connect() as conn:
                    conn.execute(
                        "update branches set status = 'MIGRATIONS_FAILED', updated_at = now()"
                        " where id = %s and status = 'RUNNING_MIGRATIONS'",
                        (row["branch_id"],),
                    )

    def _finish_committed_merge(self, run: dict[str, Any]) -> bool:
        """Finish a dead merge run whose migrations are all on production (its transaction
        committed before the stop): True when it is being finished, False when production
        lacks some (or cannot say), so the run ends failed."""
        try:
            row = self._branch(str(run["branch_id"]))
            if self._missing_migrations(row["parent_project_ref"], row["project_ref"], run["migration_version"]):
                return False
        except Exception:  # no branch, or an instance that does not answer: not known committed
            logger.exception("could not tell whether the interrupted merge %s had committed", run["id"])
            return False
        deploy = len(run["steps"]) - 1
        for index, step in enumerate(run["steps"][:deploy]):
            if step["status"] != "EXITED":
                self._step(run["id"], index, "EXITED")
        self._set_status(row, "MIGRATIONS_PASSED")
        self._log(run["id"], "[merge] the local API stopped after production committed this merge: finishing it")
        steps = self._merge_steps(row, run["migration_version"])
        self.projects.spawn(self._execute, run["id"], "merge", steps, deploy, name=f"localapi-merge-{run['id']}")
        return True

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        with control.connect(self._url) as conn:
            yield conn

    # Records

    def branch_refs(self) -> set[str]:
        with self._connect() as conn:
            return {row["project_ref"] for row in conn.execute("select project_ref from branches")}

    def _purge_due(self) -> None:
        """Branches whose scheduled deletion is due are deleted now."""
        with self._connect() as conn:
            due = conn.execute("select project_ref from branches where deletion_scheduled_at <= now()").fetchall()
        for row in due:
            self._drop(row["project_ref"])

    def _rows(self, parent_ref: str) -> builtins.list[dict[str, Any]]:
        self._purge_due()
        with self._connect() as conn:
            return conn.execute(
                f"select {BRANCH_COLUMNS} from branches where parent_project_ref = %s order by created_at, name",
                (parent_ref,),
            ).fetchall()

    def _branch(self, id_or_ref: str) -> dict[str, Any]:
        require(
            bool(UUID_RE.match(id_or_ref) or re.match(r"^[a-z]{20}$", id_or_ref)),
            f"Invalid branch id or ref {id_or_ref!r}: a 20-letter ref or a UUID",
        )
        self._purge_due()
        column = "id::text" if UUID_RE.match(id_or_ref) else "project_ref"
        with self._connect() as conn:
            row = conn.execute(f"select {BRANCH_COLUMNS} from branches where {column} = %s", (id_or_ref,)).fetchone()
        if row is None:
            raise Problem(404, f"Branch {id_or_ref} not found")
        return row

    def _shape(self, row: dict[str, Any]) -> dict[str, Any]:
        """BranchResponse."""
        project = self.store.project(row["project_ref"])
        answer: dict[str, Any] = {
            "id": str(row["id"]),
            "name": row["name"],
            "project_ref": row["project_ref"],
            "parent_project_ref": row["parent_project_ref"],
            "is_default": False,
            "persistent": row["persistent"],
            "status": row["status"],
            "created_at": shapes.timestamp(row["created_at"]),
            "updated_at": shapes.timestamp(row["updated_at"]),
            "with_data": row["with_data"],
        }
        if project is not None:
            answer["preview_project_status"] = project.status
        for key in ("git_branch", "notify_url"):
            if row[key] is not None:
                answer[key] = row[key]
        for key in ("review_requested_at", "deletion_scheduled_at"):
            if row[key] is not None:
                answer[key] = shapes.timestamp(row[key])
        return answer

    def _default_branch(self, parent_ref: str) -> dict[str, Any]:
        """Production, listed as the default branch (its id stable, derived from the ref)."""
        project = self.projects.require(parent_ref)
        stamp = shapes.timestamp(project.created_at)
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"platformkit-branch:{parent_ref}")),
            "name": DEFAULT_BRANCH_NAME,
            "project_ref": parent_ref,
            "parent_project_ref": parent_ref,
            "is_default": True,
            "persistent": True,
            "status": "MIGRATIONS_PASSED",
            "created_at": stamp,
            "updated_at": stamp,
            "with_data": True,
            "preview_project_status": project.status,
        }

    # Endpoints

    def list(self, parent_ref: str) -> builtins.list[dict[str, Any]]:
        default = self._default_branch(parent_ref)
        return [default, *(self._shape(row) for row in self._rows(parent_ref))]

    def get_by_name(self, parent_ref: str, name: str) -> dict[str, Any]:
        if name == DEFAULT_BRANCH_NAME:
            return self._default_branch(parent_ref)
        self.projects.require(parent_ref)
        for row in self._rows(parent_ref):
            if row["name"] == name:
                return self._shape(row)
        raise Problem(404, f"Branch {name} not found")

    def create(self, parent_ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        parent = self.projects.require(parent_ref)
        require(parent_ref not in self.branch_refs(), "A branch cannot have branches of its own")
        require(
            parent.status == catalog.ACTIVE_HEALTHY,
            f"Project {parent_ref} is {parent.status}; branches need an ACTIVE_HEALTHY project",
        )
        unknown = sorted(set(body) - CREATE_FIELDS)
        require(not unknown, f"property {', '.join(unknown)} should not exist")
        name = body.get("branch_name")
        require(isinstance(name, str) and 0 < len(name) <= 256, "branch_name is required: 1 to 256 characters")
        require("\x00" not in str(name) and str(name) != DEFAULT_BRANCH_NAME, f"branch_name {name!r} is not allowed")
        require(not body.get("is_default"), "is_default: only production is the default branch")
        for field in ("git_branch", "region", "notify_url"):
            require(body.get(field) is None or isinstance(body.get(field), str), f"{field} must be a string")
        for field in ("persistent", "with_data"):
            require(body.get(field) is None or isinstance(body.get(field), bool), f"{field} must be a boolean")
        size = body.get("desired_instance_size")
        require(
            size is None or size in catalog.INSTANCE_SIZES,
            f"desired_instance_size must be one of {', '.join(catalog.INSTANCE_SIZES)}",
        )
        secrets = body.get("secrets") or {}
        require(
            isinstance(secrets, dict) and all(isinstance(v, str) for v in secrets.values()),
            "secrets must be an object of string values",
        )
        bad = [key for key in secrets if not SECRET_NAME.match(key)]
        require(not bad, f"secrets: invalid name(s) {', '.join(bad)}")
        if any(row["name"] == name for row in self._rows(parent_ref)):
            raise Problem(409, f"Branch {name} already exists")
        ref = random_ref()
        branch_id = uuid.uuid4()
        if secrets:  # the branch's own Edge Function secrets; checked like any secret before anything is written
            self.secrets.create(ref, [{"name": key, "value": value} for key, value in secrets.items()])
        with self._connect() as conn:
            conn.execute(
                "insert into branches (id, name, project_ref, parent_project_ref, git_branch, persistent, with_data,"
                " status, notify_url, secret_names) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    branch_id,
                    name,
                    ref,
                    parent_ref,
                    body.get("git_branch"),
                    bool(body.get("persistent")),
                    bool(body.get("with_data")),
                    "CREATING_PROJECT",
                    body.get("notify_url"),
                    sorted(secrets),
                ),
            )
        self.store.add_project(
            ref=ref,
            organization_slug=parent.organization_slug,
            name=f"{parent.name} ({name})",
            region=str(body.get("region") or parent.region),
            instance_size=str(size or parent.instance_size),
        )
        row = self._branch(ref)
        self._start_run(row, "create", ("clone", "migrate", "health"), self._create_steps(row))
        return self._shape(self._branch(ref))

    def get_config(self, id_or_ref: str) -> dict[str, Any]:
        """BranchDetailResponse (no db_pass: the local API does not keep passwords)."""
        row = self._branch(id_or_ref)
        project = self.projects.require(row["project_ref"])
        version = self.projects.version
        return {
            "ref": row["project_ref"],
            "postgres_version": version,
            "postgres_engine": version.split(".")[0],
            "release_channel": "ga",
            "status": project.status,
            "db_host": self.projects.host,
            "db_port": self.instances.instance(row["project_ref"]).port,
            "db_user": provision.TENANT_ROLE,
        }

    def update(self, id_or_ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        row = self._branch(id_or_ref)
        unknown = sorted(set(body) - UPDATE_FIELDS)
        require(not unknown, f"property {', '.join(unknown)} should not exist")
        changes: dict[str, Any] = {}
        if "branch_name" in body:
            name = body["branch_name"]
            require(
                isinstance(name, str) and 0 < len(name) <= 256 and name != DEFAULT_BRANCH_NAME,
                "branch_name must be 1 to 256 characters",
            )
            clash = [
                other
                for other in self._rows(row["parent_project_ref"])
                if other["name"] == name and other["id"] != row["id"]
            ]
            require(not clash, f"Branch {name} already exists", status=409)
            changes["name"] = name
        for field in ("git_branch", "notify_url"):
            if field in body:
                require(isinstance(body[field], str), f"{field} must be a string")
                changes[field] = body[field]
        if "persistent" in body:
            require(isinstance(body["persistent"], bool), "persistent must be a boolean")
            changes["persistent"] = body["persistent"]
        if "status" in body:
            require(body["status"] in BRANCH_STATUSES, f"status must be one of {', '.join(BRANCH_STATUSES)}")
            changes["status"] = body["status"]
        with self._connect() as conn:
            for column, value in changes.items():
                conn.execute(f"update branches set {column} = %s, updated_at = now() where id = %s", (value, row["id"]))
            if body.get("request_review"):
                conn.execute("update branches set review_requested_at = now() where id = %s", (row["id"],))
        return self._shape(self._branch(str(row["id"])))

    def delete(self, id_or_ref: str, force: str | None) -> dict[str, Any]:
        row = self._branch(id_or_ref)
        require(force in (None, "true", "false"), f"force must be true or false, not {force!r}")
        if force == "false":
            grace = self.config.branch_deletion_grace_seconds
            with self._connect() as conn:
                conn.execute(
                    "update branches set deletion_scheduled_at = now() + make_interval(secs => %s), updated_at = now()"
                    " where id = %s",
                    (grace, row["id"]),
                )
        else:
            self._drop(row["project_ref"])
        return {"message": "ok"}

    def restore(self, id_or_ref: str) -> dict[str, Any]:
        row = self._branch(id_or_ref)
        require(row["deletion_scheduled_at"] is not None, f"Branch {row['name']} is not scheduled for deletion")
        with self._connect() as conn:
            conn.execute(
                "update branches set deletion_scheduled_at = null, updated_at = now() where id = %s", (row["id"],)
            )
        return {"message": "Branch restoration initiated"}

    def action(self, id_or_ref: str, kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """merge, push or reset: 201 with the workflow run to follow."""
        row = self._branch(id_or_ref)
        unknown = sorted(set(body) - {"migration_version"})
        require(not unknown, f"property {', '.join(unknown)} should not exist")
        version = body.get("migration_version")
        require(
            version is None or (isinstance(version, str) and version.isdigit()),
            "migration_version must be a version (digits)",
        )
        project = self.projects.require(row["project_ref"])
        settled = (catalog.ACTIVE_HEALTHY, catalog.INIT_FAILED) if kind == "reset" else (catalog.ACTIVE_HEALTHY,)
        require(project.status in settled, f"Branch {row['name']} is {project.status}; wait until it is ACTIVE_HEALTHY")
        if kind == "merge":
            run = self._start_run(row, kind, ("health", "migrate", "deploy"), self._merge_steps(row, version), version)
        elif kind == "push":
            run = self._start_run(row, kind, ("pull", "migrate"), self._push_steps(row))
        else:
            run = self._start_run(row, kind, ("clone", "migrate", "health"), self._create_steps(row, reset=True))
        return {"workflow_run_id": run, "message": "ok"}

    def diff(self, id_or_ref: str, params: Mapping[str, str]) -> str:
        """SQL: the branch's migrations its parent lacks, then (as comments) every line of the
        schema dumps that still differs, so changes made outside migrations show too."""
        row = self._branch(id_or_ref)
        schemas = [name for name in params.get("included_schemas", "public").split(",") if name]
        require(
            all(re.match(r"^[A-Za-z_][A-Za-z0-9_$]*$", name) for name in schemas),
            "included_schemas: comma-separated schema names",
        )
        parent, branch = row["parent_project_ref"], row["project_ref"]
        missing = self._missing_migrations(parent, branch)
        out = [f"-- Migrations on branch {row['name']} that production lacks: {len(missing)}"]
        for version, name, statements, _ in missing:
            out.append(f"\n-- {version} {name or ''}".rstrip())
            out += [statement.rstrip().rstrip(";") + ";" for statement in statements]
        try:
            before = _normalised(clone.dump(self.instances, parent, schemas=schemas))
            after = _normalised(clone.dump(self.instances, branch, schemas=schemas))
        except RuntimeError as exc:
            raise Problem(400, str(exc)) from None
        changed = list(difflib.unified_diff(before, after, "production", row["name"], lineterm="", n=0))
        out.append(f"\n-- Schema dump difference ({', '.join(schemas)}): {'none' if not changed else ''}".rstrip())
        out += [f"-- {line}" for line in changed]
        return "\n".join(out) + "\n"

    # Action runs

    def list_runs(self, ref: str, params: Mapping[str, str]) -> builtins.list[dict[str, Any]]:
        self.projects.require(ref)
        offset = int_param(params, "offset", 0, 0, None)
        limit = int_param(params, "limit", 20, 10, None)
        with self._connect() as conn:
            rows = conn.execute(
                "select * from action_runs where project_ref = %s order by created_at desc, id offset %s limit %s",
                (ref, offset, limit),
            ).fetchall()
        return [_run_shape(row) for row in rows]

    def count_runs(self, ref: str) -> None:
        self.projects.require(ref)

    def _run_row(self, ref: str, run_id: str) -> dict[str, Any]:
        self.projects.require(ref)
        with self._connect() as conn:
            row = conn.execute("select * from action_runs where id = %s and project_ref = %s", (run_id, ref)).fetchone()
        if row is None:
            raise Problem(404, f"Action run {run_id} not found")
        return row

    def get_run(self, ref: str, run_id: str) -> dict[str, Any]:
        return _run_shape(self._run_row(ref, run_id))

    def run_logs(self, ref: str, run_id: str) -> str:
        return str(self._run_row(ref, run_id)["logs"])

    def _start_run(
        self,
        row: dict[str, Any],
        kind: str,
        names: tuple[str, ...],
        steps: builtins.list[Step],
        migration_version: str | None = None,
    ) -> str:
        run_id = "run_" + random_ref(26)
        stamp = _now_iso()
        initial = [{"name": name, "status": "CREATED", "created_at": stamp, "updated_at": stamp} for name in names]
        with self._connect() as conn:
            conn.execute(
                "insert into action_runs (id, branch_id, project_ref, kind, steps, runner, migration_version)"
                " values (%s, %s, %s, %s, %s, %s, %s)",
                (run_id, row["id"], row["project_ref"], kind, Jsonb(initial), processes.identity(), migration_version),
            )
        self.projects.spawn(self._execute, run_id, kind, steps, name=f"localapi-{kind}-{run_id}")
        return run_id

    def _log(self, run_id: str, text: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "update action_runs set logs = logs || %s, updated_at = now() where id = %s",
                (text.rstrip("\n") + "\n", run_id),
            )

    def _step(self, run_id: str, index: int, status: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "update action_runs set steps = jsonb_set("
                "jsonb_set(steps, array[%s::text, 'status'], to_jsonb(%s::text)),"
                " array[%s::text, 'updated_at'], to_jsonb(%s::text)), updated_at = now() where id = %s",
                (str(index), status, str(index), _now_iso(), run_id),
            )

    def _execute(self, run_id: str, kind: str, steps: builtins.list[Step], first: int = 0) -> None:
        """Run the steps from ``first`` on (a merge finished at start runs only its last)."""
        with self._connect() as conn:
            run = one_row(conn.execute("select steps from action_runs where id = %s", (run_id,)))
            names = [str(step["name"]) for step in run["steps"]]
        for index, step in list(enumerate(steps))[first:]:
            self._step(run_id, index, "RUNNING")
            self._log(run_id, f"[{names[index]}] started")

            def log(text: str, name: str = names[index]) -> None:
                self._log(run_id, f"[{name}] {text}")

            try:
                step(log)
            except Exception as exc:  # the run reports it; nothing escapes the thread
                message = exc.message if isinstance(exc, Problem) else f"{type(exc).__name__}: {exc}"
                logger.warning("%s run %s failed at %s: %s", kind, run_id, names[index], message)
                self._log(run_id, f"[{names[index]}] failed: {message}")
                self._step(run_id, index, "DEAD")
                return
            self._step(run_id, index, "EXITED")
            self._log(run_id, f"[{names[index]}] done")

    # Workflow steps

    def _set_status(self, row: dict[str, Any], status: str) -> None:
        with self._connect() as conn:
            conn.execute("update branches set status = %s, updated_at = now() where id = %s", (status, row["id"]))

    def _create_steps(self, row: dict[str, Any], *, reset: bool = False) -> builtins.list[Step]:
        ref, parent = row["project_ref"], row["parent_project_ref"]

        def clone_step(log: Callable[[str], None]) -> None:
            self._set_status(row, "CREATING_PROJECT")
            self.store.set_status(ref, catalog.COMING_UP)
            with self.projects.lock(ref):
                try:
                    if reset:
                        self.instances.drop(ref)
                    password, size = random_secrets.token_urlsafe(24), self.store_size(parent)
                    if row["with_data"]:  # a physical clone: the parent's pages, no SQL of theirs run
                        self.instances.create_clone(ref, parent, password, size)
                    else:  # the schema and history, loaded as the tenant (clone.copy_schema)
                        self.instances.create(ref, password, size)
                        clone.copy_schema(self.instances, parent, ref)
                except Exception:
                    self._set_status(row, "MIGRATIONS_FAILED")
                    self.store.set_status(ref, catalog.INIT_FAILED)
                    raise
            log(f"cloned the schema{' and data' if row['with_data'] else ''} of {parent}")

        def migrate_step(log: Callable[[str], None]) -> None:
            self._set_status(row, "RUNNING_MIGRATIONS")
            count = len(sqlrun.list_migrations(self.instances, ref))
            log(f"migration history: {count} migration(s), as production")
            self._set_status(row, "MIGRATIONS_PASSED")

        def health_step(log: Callable[[str], None]) -> None:
            self.store.set_status(ref, catalog.ACTIVE_HEALTHY)
            log("branch database is up")

        return [clone_step, migrate_step, health_step]

    def _push_steps(self, row: dict[str, Any]) -> builtins.list[Step]:
        def pull(log: Callable[[str], None]) -> None:
            log("no git repository is connected to the local API: nothing to pull")

        def migrate(log: Callable[[str], None]) -> None:
            log(f"{len(sqlrun.list_migrations(self.instances, row['project_ref']))} migration(s) on the branch")

        return [pull, migrate]

    def _missing_migrations(self, parent: str, branch: str, up_to: str | None = None) -> builtins.list[Migration]:
        with sqlrun.project_transaction(self.instances, parent) as conn:
            have = {row[0] for row in sqlrun.migrations_with_statements(conn)}
        with sqlrun.project_transaction(self.instances, branch) as conn:
            theirs = sqlrun.migrations_with_statements(conn)
        return [row for row in theirs if row[0] not in have and (up_to is None or row[0] <= up_to)]

    def _merge_steps(self, row: dict[str, Any], up_to: str | None) -> builtins.list[Step]:
        parent, branch = row["parent_project_ref"], row["project_ref"]
        applied: list[str] = []

        def health(log: Callable[[str], None]) -> None:
            for ref in (parent, branch):
                problem = self.instances.connection_problem(ref)
                if problem:
                    raise Problem(400, f"{ref} does not answer: {problem}")
            log("production and branch answer")

        def migrate(log: Callable[[str], None]) -> None:
            self._set_status(row, "RUNNING_MIGRATIONS")
            missing = self._missing_migrations(parent, branch, up_to)
            log(f"{len(missing)} migration(s) to apply to production")
            current = "?"
            try:
                with (
                    self.projects.lock(parent),
                    sqlrun.project_transaction(
                        self.instances, parent, timeout_seconds=self.config.query_timeout_seconds * 4
                    ) as conn,
                ):
                    for version, name, statements, rollback in missing:
                        current = f"{version} {name or ''}".strip()
                        sqlrun.sql_logger.info("merge into %s, migration %s", parent, current)
                        for statement in statements:
                            conn.execute(statement.encode())
                        conn.execute(
                            "insert into supabase_migrations.schema_migrations"
                            " (version, name, statements, rollback, created_by)"
                            " values (%s, %s, %s, %s, %s)",
                            (version, name, statements, rollback, "platformkit merge"),
                        )
                        log(f"applied {current}")
            except psycopg.Error as exc:
                self._set_status(row, "MIGRATIONS_FAILED")
                detail = sqlrun.postgres_message(exc, "")
                raise Problem(400, f"migration {current} failed, production is unchanged: {detail}") from None
            recovery.crash_point("merge-committed")  # tests: killed after production's commit
            applied.extend(version for version, *_ in missing)
            self._set_status(row, "MIGRATIONS_PASSED")

        def deploy(log: Callable[[str], None]) -> None:
            for hook in self.merge_hooks:
                hook(MergeContext(row, parent, branch, list(applied)))
                log(f"merge hook {getattr(hook, '__name__', hook)!s} done")
            if not self.merge_hooks:
                log("no merge hooks registered")

        return [health, migrate, deploy]

    def store_size(self, ref: str) -> str:
        row = self.store.project(ref)
        return row.instance_size if row else "micro"

    def delete_branches_of(self, parent_ref: str) -> None:
        """Every branch of a project being deleted goes first: instance, records, secrets, keys."""
        with self._connect() as conn:
            refs = [
                row["project_ref"]
                for row in conn.execute(
                    "select project_ref from branches where parent_project_ref = %s and project_ref <> %s",
                    (parent_ref, parent_ref),
                )
            ]
        for ref in refs:
            self._drop(ref)
        with self._connect() as conn:
            conn.execute("delete from branches where parent_project_ref = %s", (parent_ref,))

    def _drop(self, ref: str) -> None:
        with self.projects.lock(ref):
            self.instances.drop(ref)
            self.store.mark_deleted(ref)
            with self._connect() as conn:
                conn.execute("delete from branches where project_ref = %s", (ref,))
        self._forget(ref)


def _run_shape(row: dict[str, Any]) -> dict[str, Any]:
    """ActionRunResponse."""
    return {
        "id": row["id"],
        "branch_id": str(row["branch_id"]),
        "run_steps": row["steps"],
        "git_config": None,
        "workdir": None,
        "check_run_id": None,
        "created_at": shapes.timestamp(row["created_at"]),
        "updated_at": shapes.timestamp(row["updated_at"]),
    }


def _normalised(dump: str) -> list[str]:
    """A schema dump without what differs between any two databases (owner names, settings,
    comments, psql's per-dump \\restrict key)."""
    lines = []
    for line in dump.splitlines():
        if not line.strip() or line.startswith(
            ("--", "SET ", "SELECT pg_catalog.set_config", "\\restrict", "\\unrestrict")
        ):
            continue
        lines.append(line)
    return lines
