"""Real values for the path parameters of every operation the local API serves: a live
project with one of each thing (a deployed function, an API key, a secret, a migration, a
restore point, a claim token; a branch with its action run, made on first use), and projects or
branches of their own for the operations that end or move theirs. The fuzz test and the
malformed-body tests aim their requests at these, so the handlers behind the lookups run."""

from __future__ import annotations

import json

import httpx

from tests.localapi.conftest import DEFAULT_ORG, PROJECT_BODY, wait_for_status
from tests.localapi.test_branches import make_branch

# Operations that end or move their project (or branch): with real parameters they get one of
# their own, so the shared project stays up for every other operation.
DISPOSABLE_PROJECT = {
    ("DELETE", "/v1/projects/{ref}"),
    ("POST", "/v1/projects/{ref}/pause"),
    ("POST", "/v1/projects/{ref}/restore"),
    ("POST", "/v1/projects/{ref}/database/backups/undo"),
    ("POST", "/v1/projects/{ref}/database/backups/restore-pitr"),
    ("POST", "/v1/organizations/{slug}/project-claim/{token}"),
}
DISPOSABLE_BRANCH = {
    ("DELETE", "/v1/branches/{branch_id_or_ref}"),
    ("POST", "/v1/branches/{branch_id_or_ref}/restore"),
}


class RealTargets:
    """Real values for path parameters: a shared live project with one of each thing, and
    disposable ones made on first use for the operations above."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.shared = self._project("fuzz")
        self._disposable: dict[tuple[str, str], dict[str, str]] = {}

    def _project(self, name: str) -> dict[str, str]:
        created = self.http.post("/v1/projects", json={**PROJECT_BODY, "name": f"Fuzz {name}"})
        assert created.status_code == 201, created.text
        ref = wait_for_status(self.http, created.json()["ref"], "ACTIVE_HEALTHY")["ref"]
        http = self.http
        deployed = http.post(
            f"/v1/projects/{ref}/functions/deploy",
            params={"slug": "hello"},
            files=[("file", ("index.ts", b"Deno.serve(() => new Response('hi'))", "application/typescript"))],
            data={"metadata": json.dumps({"entrypoint_path": "index.ts"})},
        )
        assert deployed.status_code == 201, deployed.text
        key = http.post(f"/v1/projects/{ref}/api-keys", json={"type": "secret", "name": "fuzz"})
        assert key.status_code == 201, key.text
        assert http.post(f"/v1/projects/{ref}/secrets", json=[{"name": "FUZZ", "value": "1"}]).status_code == 201
        applied = http.post(f"/v1/projects/{ref}/database/migrations", json={"query": "create table t (id int)"})
        assert applied.status_code == 200, applied.text
        version = http.get(f"/v1/projects/{ref}/database/migrations").json()[0]["version"]
        token = http.post(f"/v1/projects/{ref}/claim-token")
        assert token.status_code == 200, token.text
        assert http.post(f"/v1/projects/{ref}/database/backups/restore-point", json={"name": "fuzz"}).status_code == 201
        return {
            "ref": ref,
            "slug": DEFAULT_ORG,
            "function_slug": "hello",
            "id": key.json()["id"],
            "version": version,
            "token": token.json()["token"],
            "addon_variant": "ipv4_default",
        }

    def _branch(self, ref: str, name: str) -> dict[str, str]:
        branch = make_branch(self.http, ref, name)
        run_id = self.http.get(f"/v1/projects/{branch['project_ref']}/actions").json()[0]["id"]
        return {"branch_id_or_ref": branch["id"], "name": name, "branch_ref": branch["project_ref"], "run_id": run_id}

    def for_operation(self, method: str, path: str) -> dict[str, str]:
        key = (method, path)
        if key in DISPOSABLE_PROJECT:
            if key not in self._disposable:
                self._disposable[key] = self._project(path.rsplit("/", 1)[-1])
            return self._disposable[key]
        if key in DISPOSABLE_BRANCH:
            if key not in self._disposable:
                self._disposable[key] = self.shared | self._branch(self.shared["ref"], f"fuzz-{method.lower()}")
            return self._disposable[key]
        if "branch_id_or_ref" in path or "/actions" in path or "/branches/{name}" in path:
            if ("branch", "") not in self._disposable:
                self._disposable[("branch", "")] = self._branch(self.shared["ref"], "fuzz")
            branch = self._disposable[("branch", "")]
            values = self.shared | branch
            if "/actions" in path:  # runs belong to the branch's own project
                values["ref"] = branch["branch_ref"]
            return values
        return self.shared
