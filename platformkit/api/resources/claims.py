"""The claim flow: a project's claim token (tag "Projects"), the receiving organization's view of
it (tag "Organizations") and the OAuth authorize URL that starts a transfer (tag "OAuth")."""

from __future__ import annotations

from typing import Any

from platformkit.api._core import Call
from platformkit.api.types import ClaimToken

from ._base import Resource, segment


class Claims(Resource):
    def get_token(self, ref: str) -> ClaimToken:
        """GET /v1/projects/{ref}/claim-token: the alias and expiry, never the token."""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/claim-token", cast=ClaimToken.from_json))

    def create_token(self, ref: str) -> ClaimToken:
        """POST /v1/projects/{ref}/claim-token: the answer is the only time ``token`` is seen."""
        return self._run(Call("POST", f"/v1/projects/{segment(ref)}/claim-token", cast=ClaimToken.from_json))

    def delete_token(self, ref: str) -> None:
        """DELETE /v1/projects/{ref}/claim-token (204): revoke it."""
        return self._run(Call[None]("DELETE", f"/v1/projects/{segment(ref)}/claim-token"))

    def preview(self, slug: str, token: str) -> dict[str, Any]:
        """GET /v1/organizations/{slug}/project-claim/{token}: the project and the transfer preview."""
        return self._run(Call("GET", f"/v1/organizations/{segment(slug)}/project-claim/{segment(token)}"))

    def claim(self, slug: str, token: str) -> None:
        """POST /v1/organizations/{slug}/project-claim/{token} (204): move the project into ``slug``."""
        return self._run(Call[None]("POST", f"/v1/organizations/{segment(slug)}/project-claim/{segment(token)}"))

    def authorize_url(
        self,
        *,
        project_ref: str,
        client_id: str,
        redirect_uri: str,
        state: str | None = None,
        response_type: str = "code",
        code_challenge: str | None = None,
        code_challenge_method: str | None = None,
    ) -> str | None:
        """GET /v1/oauth/authorize/project-claim with the caller's token, without following the
        redirect: the answer's ``Location`` is where the end user's browser goes (the token must
        not). None when the API answers without a redirect."""
        params = {
            "project_ref": project_ref,
            "client_id": client_id,
            "response_type": response_type,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": code_challenge_method,
        }
        return self._run(Call("GET", "/v1/oauth/authorize/project-claim", params=params, location=True))
