"""Tag "Environments": preview branches of a project, and the action runs reporting a branch
workflow's progress (the branch ``status`` field is deprecated upstream)."""

from __future__ import annotations

import builtins
from typing import Any

from platformkit.api._core import Call
from platformkit.api.types import ActionRun, Branch, BranchDetail, BranchUpdate

from ._base import Resource, segment


def _without_none(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _action_body(migration_version: str | None) -> dict[str, Any]:
    return _without_none(migration_version=migration_version)


class Branches(Resource):
    def list(self, ref: str) -> list[Branch]:
        """GET /v1/projects/{ref}/branches (the default branch, production, included)."""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/branches", cast=Branch.list_from_json))

    def create(
        self,
        ref: str,
        *,
        branch_name: str,
        git_branch: str | None = None,
        persistent: bool | None = None,
        region: str | None = None,
        desired_instance_size: str | None = None,
        secrets: dict[str, str] | None = None,
        with_data: bool | None = None,
        notify_url: str | None = None,
    ) -> Branch:
        """POST /v1/projects/{ref}/branches (201). Not replayed once it may have reached the server."""
        body = _without_none(
            branch_name=branch_name,
            git_branch=git_branch,
            persistent=persistent,
            region=region,
            desired_instance_size=desired_instance_size,
            secrets=secrets,
            with_data=with_data,
            notify_url=notify_url,
        )
        return self._run(Call("POST", f"/v1/projects/{segment(ref)}/branches", json=body, cast=Branch.from_json))

    def get(self, ref: str, name: str) -> Branch:
        """GET /v1/projects/{ref}/branches/{name}"""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/branches/{segment(name)}", cast=Branch.from_json))

    def get_config(self, branch_id_or_ref: str) -> BranchDetail:
        """GET /v1/branches/{branch_id_or_ref}: the branch's database details."""
        return self._run(Call("GET", f"/v1/branches/{segment(branch_id_or_ref)}", cast=BranchDetail.from_json))

    def update(
        self,
        branch_id_or_ref: str,
        *,
        branch_name: str | None = None,
        git_branch: str | None = None,
        persistent: bool | None = None,
        request_review: bool | None = None,
        notify_url: str | None = None,
    ) -> Branch:
        """PATCH /v1/branches/{branch_id_or_ref}"""
        body = _without_none(
            branch_name=branch_name,
            git_branch=git_branch,
            persistent=persistent,
            request_review=request_review,
            notify_url=notify_url,
        )
        return self._run(Call("PATCH", f"/v1/branches/{segment(branch_id_or_ref)}", json=body, cast=Branch.from_json))

    def delete(self, branch_id_or_ref: str, *, force: bool = True) -> dict[str, Any]:
        """DELETE /v1/branches/{branch_id_or_ref}; ``force=False`` schedules the deletion
        (``deletion_scheduled_at``), which :meth:`restore` undoes."""
        params = {"force": "true" if force else "false"}
        return self._run(Call("DELETE", f"/v1/branches/{segment(branch_id_or_ref)}", params=params))

    def restore(self, branch_id_or_ref: str) -> dict[str, Any]:
        """POST /v1/branches/{branch_id_or_ref}/restore: cancel a scheduled deletion."""
        return self._run(Call("POST", f"/v1/branches/{segment(branch_id_or_ref)}/restore"))

    def _action(self, branch_id_or_ref: str, action: str, migration_version: str | None) -> BranchUpdate:
        # 201 with a workflow_run_id; not replayed (a POST), so an action never runs twice.
        return self._run(
            Call(
                "POST",
                f"/v1/branches/{segment(branch_id_or_ref)}/{action}",
                json=_action_body(migration_version),
                cast=BranchUpdate.from_json,
            )
        )

    def merge(self, branch_id_or_ref: str, *, migration_version: str | None = None) -> BranchUpdate:
        """POST /v1/branches/{branch_id_or_ref}/merge: the branch's migrations into production."""
        return self._action(branch_id_or_ref, "merge", migration_version)

    def push(self, branch_id_or_ref: str, *, migration_version: str | None = None) -> BranchUpdate:
        """POST /v1/branches/{branch_id_or_ref}/push"""
        return self._action(branch_id_or_ref, "push", migration_version)

    def reset(self, branch_id_or_ref: str, *, migration_version: str | None = None) -> BranchUpdate:
        """POST /v1/branches/{branch_id_or_ref}/reset: recreate the branch from production."""
        return self._action(branch_id_or_ref, "reset", migration_version)

    def diff(self, branch_id_or_ref: str, *, included_schemas: str | None = None) -> str:
        """GET /v1/branches/{branch_id_or_ref}/diff: the schema difference as SQL (text/plain)."""
        params = _without_none(included_schemas=included_schemas)
        return self._run(
            Call("GET", f"/v1/branches/{segment(branch_id_or_ref)}/diff", params=params or None, text=True)
        )

    def action_runs(self, ref: str, *, offset: int | None = None, limit: int | None = None) -> builtins.list[ActionRun]:
        """GET /v1/projects/{ref}/actions (``ref``: the branch's project ref)."""
        params = _without_none(offset=offset, limit=limit)
        return self._run(
            Call("GET", f"/v1/projects/{segment(ref)}/actions", params=params or None, cast=ActionRun.list_from_json)
        )

    def action_run(self, ref: str, run_id: str) -> ActionRun:
        """GET /v1/projects/{ref}/actions/{run_id}"""
        return self._run(
            Call("GET", f"/v1/projects/{segment(ref)}/actions/{segment(run_id)}", cast=ActionRun.from_json)
        )

    def action_run_logs(self, ref: str, run_id: str) -> str:
        """GET /v1/projects/{ref}/actions/{run_id}/logs (text/plain)."""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/actions/{segment(run_id)}/logs", text=True))
