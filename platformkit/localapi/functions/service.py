"""Edge Functions in the local API: deploys checked and stored per version, settings, the
bundle, invocation through a local Deno (when installed) with ``verify_jwt`` enforced and every
call in the function logs, and promotion of a branch's functions to production on merge."""

from __future__ import annotations

import base64
import builtins
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from platformkit.localapi import jsondata, validation
from platformkit.localapi.api_keys.service import ApiKeys, sign_jwt, verify_jwt
from platformkit.localapi.branches.service import MergeContext
from platformkit.localapi.errors import Problem, require
from platformkit.localapi.store import ProjectRow

from . import bundle as bundles
from . import runtime, sandbox
from .store import SETTINGS, Functions, bundle_path_of, check_settings

__all__ = ["EdgeFunctions"]


class EdgeFunctions:
    def __init__(
        self,
        control_url: str,
        directory: Path,
        project: Callable[[str], ProjectRow],
        api_keys: ApiKeys,
        record: Callable[..., None],
        deno: str | None,
        timeout_seconds: float,
        allowed_hosts: builtins.list[str] | tuple[str, ...] = (),
    ) -> None:
        self.store = Functions(control_url, directory, project)
        self._project = project
        self._keys = api_keys
        self._record = record
        self.deno = deno
        self.timeout = timeout_seconds
        self.allowed_hosts = tuple(sandbox.allowed_host(host) for host in allowed_hosts)

    # Management API

    def list(self, ref: str) -> builtins.list[dict[str, Any]]:
        return self.store.list(ref)

    def get(self, ref: str, slug: str) -> dict[str, Any]:
        return self.store.get(ref, slug)

    def deploy(
        self, ref: str, params: Mapping[str, str], uploads: builtins.list[tuple[str, Any]], metadata_text: str | None
    ) -> dict[str, Any]:
        require(metadata_text is not None, "The 'metadata' form field is required (JSON with entrypoint_path)")
        metadata = jsondata.parse(metadata_text or "", "metadata")
        require(isinstance(metadata, dict), "metadata must be a JSON object")
        slug = params.get("slug") or metadata.get("name")
        require(isinstance(slug, str) and slug != "", "The slug query parameter is required")
        for key in ("entrypoint_path", "import_map_path"):  # a file URL this API answered names a bundle path
            if isinstance(metadata.get(key), str) and str(metadata[key]).startswith("file:///tmp/user_fn_"):
                metadata[key] = bundle_path_of(metadata[key])
        built = bundles.build(bundles.from_upload(uploads), metadata)
        bundle_only = bool(validation.flag(params, "bundleOnly"))
        deployed = self.store.deploy(ref, str(slug), built, metadata, bundle_only=bundle_only)
        if not bundle_only:
            self._record(
                ref,
                "function_logs",
                f"Deployed version {deployed['version']} of {slug}",
                {
                    "level": "info",
                    "event_type": "Deploy",
                    "function_id": deployed["id"],
                    "project_ref": ref,
                    "version": str(deployed["version"]),
                },
            )
        return deployed

    def create(self, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(body) - {"slug", "name", "body", "verify_jwt"})
        require(not unknown, f"property {', '.join(unknown)} should not exist")
        for key in ("slug", "name", "body"):
            require(isinstance(body.get(key), str) and body[key] != "", f"{key} is required: a non-empty string")
        require(not self._exists(ref, str(body["slug"])), f"Function {body['slug']} already exists: update it instead")
        built = bundles.build({"index.ts": str(body["body"]).encode()}, {"entrypoint_path": "index.ts"})
        return self.store.deploy(
            ref, str(body["slug"]), built, {"name": body["name"], "verify_jwt": body.get("verify_jwt")}
        )

    def update(self, ref: str, slug: str, params: Mapping[str, str], body: Mapping[str, Any]) -> dict[str, Any]:
        current = self.store.row(ref, slug)
        unknown = sorted(set(body) - {"name", "body", "verify_jwt"})
        require(not unknown, f"property {', '.join(unknown)} should not exist")
        changes: dict[str, Any] = {key: body[key] for key in ("name", "verify_jwt") if key in body}
        for key in ("entrypoint_path", "import_map_path", "name"):
            if params.get(key):
                changes[key] = params[key]
        verify_jwt = validation.flag(params, "verify_jwt", None)
        if verify_jwt is not None:
            changes["verify_jwt"] = verify_jwt
        for key in ("entrypoint_path", "import_map_path"):
            if key in changes:  # checked as at deploy: inside the bundle, and one of its files
                path = bundles.safe_path(bundle_path_of(changes[key]))
                require(
                    path in self._files(ref, slug, current["version"]),
                    f"{key}: {path} is not a file of version {current['version']}",
                )
                changes[key] = path
        check_settings(changes)  # before a new version is deployed, so a bad setting changes nothing
        if "body" in body:  # new code: a new version with the entrypoint replaced
            require(isinstance(body["body"], str) and body["body"] != "", "body must be a non-empty string")
            files = self._files(ref, slug, current["version"])
            files[current["entrypoint_path"]] = str(body["body"]).encode()
            built = bundles.build(
                files, {"entrypoint_path": current["entrypoint_path"], "import_map_path": current["import_map_path"]}
            )
            self.store.deploy(ref, slug, built, {"name": changes.get("name"), "verify_jwt": changes.get("verify_jwt")})
        return self.store.update_settings(ref, slug, {key: value for key, value in changes.items() if key in SETTINGS})

    def bulk_update(self, ref: str, items: Any) -> dict[str, Any]:
        require(isinstance(items, list) and bool(items), "Request body must be a non-empty array of functions")
        for index, item in enumerate(items):
            require(
                isinstance(item, dict) and {"id", "slug", "name", "status", "version"} <= set(item),
                f"[{index}] needs id, slug, name, status and version",
            )
            current = self.store.row(ref, str(item["slug"]))
            require(str(current["id"]) == str(item["id"]), f"[{index}]: id does not match function {item['slug']}")
            check_settings({key: item[key] for key in SETTINGS if key in item})  # all checked before any is updated
        updated = [
            self.store.update_settings(ref, str(item["slug"]), {key: item[key] for key in SETTINGS if key in item})
            for item in items
        ]
        return {"functions": updated}

    def _exists(self, ref: str, slug: str) -> bool:
        try:
            self.store.row(ref, slug)
        except Problem:
            return False
        return True

    def _files(self, ref: str, slug: str, version: int) -> dict[str, bytes]:
        import zipfile

        with zipfile.ZipFile(self.store.bundle_path(ref, slug, version)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    # Invocation

    def invoke(self, ref: str, slug: str, request: Mapping[str, Any]) -> runtime.Invocation:
        """Run one request: 401 without a valid JWT when verify_jwt is on, 503 with no runtime."""
        row = self.store.row(ref, slug)
        if row["verify_jwt"]:
            scheme, _, token = str(request["headers"].get("authorization", "")).partition(" ")
            claims = verify_jwt(token.strip(), self._keys.jwt_secret(ref)) if scheme.lower() == "bearer" else None
            if claims is None:
                result = runtime.Invocation(401, {"content-type": "application/json"}, b'{"msg":"Invalid JWT"}')
                self._log_invocation(ref, row, request, result)
                return result
        if self.deno is None:
            return runtime.Invocation(
                503,
                {"content-type": "application/json"},
                json.dumps(
                    {
                        "message": "No Edge Runtime is installed here, so functions are deployed but cannot run:"
                        " run `make deno` (npm install deno into .tools/deno) or set PLATFORMKIT_DENO to a deno binary."
                    }
                ).encode(),
            )
        anon = sign_jwt({"iss": "supabase", "ref": ref, "role": "anon"}, self._keys.jwt_secret(ref))
        env = {"SUPABASE_URL": str(request.get("base_url", "")), "SUPABASE_ANON_KEY": anon, "SB_EXECUTION_ID": ""}
        cache = self.store.directory / ".deno"
        cache.mkdir(parents=True, exist_ok=True)
        result = runtime.run(
            self.deno,
            self.store.bundle_path(ref, slug, row["version"]),
            row["entrypoint_path"],
            {**request, "body_b64": base64.b64encode(request.get("body", b"")).decode()} | {"body": None},
            env=env,
            timeout=self.timeout,
            cache_dir=cache,
            allowed_hosts=self.allowed_hosts,
            own_ports=sandbox.own_ports(str(request.get("host", "")), request.get("server_port")),
        )
        self._log_invocation(ref, row, request, result)
        return result

    def _log_invocation(
        self, ref: str, row: Mapping[str, Any], request: Mapping[str, Any], result: runtime.Invocation
    ) -> None:
        common = {
            "function_id": str(row["id"]),
            "deployment_id": f"{ref}_{row['id']}_{row['version']}",
            "execution_id": result.execution_id,
            "version": str(row["version"]),
            "project_ref": ref,
        }
        self._record(
            ref,
            "function_edge_logs",
            f"{request['method']} | {result.status} | {request['url']}",
            {
                **common,
                "execution_time_ms": round(result.execution_time_ms, 3),
                "request": {
                    "method": request["method"],
                    "pathname": request["pathname"],
                    "url": request["url"],
                    "host": request.get("host"),
                    "protocol": "http:",
                    "headers": {
                        "user_agent": request["headers"].get("user-agent"),
                        "x_client_info": request["headers"].get("x-client-info"),
                    },
                },
                "response": {
                    "status_code": result.status,
                    "headers": {"content_type": result.headers.get("content-type")},
                },
            },
        )
        for line in result.logs:
            self._record(ref, "function_logs", line["message"], {**common, "level": line["level"], "event_type": "Log"})

    # Merge

    def promote(self, branch_ref: str, parent_ref: str) -> builtins.list[str]:
        """Deploy each of the branch's functions whose code or settings differ into production."""
        promoted = []
        for row in self.store.list(branch_ref):
            current = self.store.row(branch_ref, row["slug"])
            files = self._files(branch_ref, row["slug"], current["version"])
            built = bundles.build(
                files,
                {
                    "entrypoint_path": current["entrypoint_path"],
                    "import_map_path": current["import_map_path"],
                    "static_patterns": current["static_patterns"],
                },
            )
            try:
                live = self.store.row(parent_ref, row["slug"])
            except Problem:
                live = None
            if live and live["ezbr_sha256"] == built.checksum and live["verify_jwt"] == current["verify_jwt"]:
                continue
            self.store.deploy(
                parent_ref, row["slug"], built, {"name": current["name"], "verify_jwt": current["verify_jwt"]}
            )
            promoted.append(row["slug"])
        return promoted

    def promote_on_merge(self, context: MergeContext) -> None:
        """A branching merge hook: functions deployed on the branch reach production only here."""
        self.promote(context.branch_ref, context.parent_ref)
