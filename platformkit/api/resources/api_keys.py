"""Tag "Secrets", API keys: publishable and secret keys, and the legacy anon/service_role JWTs."""

from __future__ import annotations

from typing import Any

from platformkit.api._core import Call
from platformkit.api.types import ApiKey

from ._base import Resource, segment


def _reveal(reveal: bool) -> dict[str, str]:
    return {"reveal": "true"} if reveal else {}


class ApiKeys(Resource):
    def list(self, ref: str, *, reveal: bool = False) -> list[ApiKey]:
        """GET /v1/projects/{ref}/api-keys (secret values masked unless ``reveal``)."""
        return self._run(
            Call("GET", f"/v1/projects/{segment(ref)}/api-keys", params=_reveal(reveal), cast=ApiKey.list_from_json)
        )

    def get(self, ref: str, key_id: str, *, reveal: bool = False) -> ApiKey:
        """GET /v1/projects/{ref}/api-keys/{id}"""
        return self._run(
            Call(
                "GET",
                f"/v1/projects/{segment(ref)}/api-keys/{segment(key_id)}",
                params=_reveal(reveal),
                cast=ApiKey.from_json,
            )
        )

    def create(
        self,
        ref: str,
        *,
        type: str,
        name: str,
        description: str | None = None,
        secret_jwt_template: dict[str, Any] | None = None,
        reveal: bool = False,
    ) -> ApiKey:
        """POST /v1/projects/{ref}/api-keys (201). ``type``: publishable or secret."""
        body: dict[str, Any] = {"type": type, "name": name}
        if description is not None:
            body["description"] = description
        if secret_jwt_template is not None:
            body["secret_jwt_template"] = secret_jwt_template
        return self._run(
            Call(
                "POST",
                f"/v1/projects/{segment(ref)}/api-keys",
                params=_reveal(reveal),
                json=body,
                cast=ApiKey.from_json,
            )
        )

    def delete(
        self, ref: str, key_id: str, *, was_compromised: bool | None = None, reason: str | None = None
    ) -> ApiKey:
        """DELETE /v1/projects/{ref}/api-keys/{id}"""
        params = {
            k: v
            for k, v in {
                "was_compromised": None if was_compromised is None else str(was_compromised).lower(),
                "reason": reason,
            }.items()
            if v is not None
        }
        return self._run(
            Call(
                "DELETE",
                f"/v1/projects/{segment(ref)}/api-keys/{segment(key_id)}",
                params=params,
                cast=ApiKey.from_json,
            )
        )
