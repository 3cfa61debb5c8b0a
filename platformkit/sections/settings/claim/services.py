"""The claim flow: the project's claim token (shown once), and the transfer to the end user's
own organization through Supabase's OAuth authorize URL — fetched server-side with our token,
so only the redirect it answers with reaches the browser."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing

from platformkit.api import ManagementClient, errors
from platformkit.api.types import ClaimToken
from platformkit.conf import get_config
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads, get_client

User = AbstractBaseUser | AnonymousUser

STATE_SALT = "platformkit.claim.state"  # signed into claim states in flight: never rename
CONFIRM_CLEANUP = "Confirm that custom configuration you do not want transferred has been removed."


class ClaimError(Exception):
    """Said on the page: nothing was changed."""


def configured() -> str | None:
    """None when a transfer can start, else why not."""
    config = get_config()
    if not config["CLAIM_OAUTH_CLIENT_ID"] or not config["CLAIM_REDIRECT_URI"]:
        return 'Transfers need your OAuth app: set PLATFORMKIT["CLAIM_OAUTH_CLIENT_ID"] and ["CLAIM_REDIRECT_URI"].'
    return None


def secret_count(ref: str, *, client: ManagementClient | None = None) -> int:
    """How many Edge Function secrets the project has (they are transferred with it)."""
    return len((client or get_client()).secrets.list(ref))


def current_token(ref: str, *, client: ManagementClient | None = None) -> ClaimToken | None:
    """``client``: a page panel's (uncached, bounded in time)."""
    try:
        return (client or get_client(cached=False)).claims.get_token(ref)
    except errors.NotFoundError:
        return None


def transfer_state(client: ManagementClient, ref: str) -> tuple[ClaimToken | None, int]:
    """What the transfer page shows: the current claim token and how many secrets move along."""
    return current_token(ref, client=client), secret_count(ref, client=client)


def create_token(user: User, ref: str) -> ClaimToken:
    token = get_client(cached=False).claims.create_token(ref)
    audit(
        user,
        "settings.claim.token_create",
        project_ref=ref,
        detail={"alias": token.token_alias, "expires_at": token.expires_at},
    )
    return token


def revoke_token(user: User, ref: str) -> None:
    get_client(cached=False).claims.delete_token(ref)
    audit(user, "settings.claim.token_revoke", project_ref=ref)
    forget_cached_reads()


def transfer_url(user: User, ref: str, *, confirmed_cleanup: bool) -> str:
    reason = configured()
    if reason:
        raise ClaimError(reason)
    if not confirmed_cleanup:
        raise ClaimError(CONFIRM_CLEANUP)
    config = get_config()
    state = signing.dumps({"ref": ref}, salt=STATE_SALT)  # the redirect back can be checked against it
    location = get_client(cached=False).claims.authorize_url(
        project_ref=ref,
        client_id=config["CLAIM_OAUTH_CLIENT_ID"],
        redirect_uri=config["CLAIM_REDIRECT_URI"],
        state=state,
    )
    if not location:
        audit(user, "settings.claim.transfer", project_ref=ref, success=False, detail={"error": "no redirect"})
        raise ClaimError("The Management API did not answer with a page to send you to.")
    audit(user, "settings.claim.transfer", project_ref=ref, detail={"client_id": config["CLAIM_OAUTH_CLIENT_ID"]})
    return location


def project_from_state(state: str, max_age: int = 3600) -> str | None:
    """The project a claim redirect came back for (hosts call this in their redirect view)."""
    try:
        return str(signing.loads(state, salt=STATE_SALT, max_age=max_age)["ref"])
    except (signing.BadSignature, KeyError, TypeError):
        return None
