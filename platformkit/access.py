"""Who may use the dashboard and which projects they see and change.

``PLATFORMKIT["PERMISSION_POLICY"]`` names a callable ``policy(user) -> Access | None``. Views
never ask the policy themselves: they are wrapped in :func:`dashboard_view` (login, then the
policy; no access at all → 403) and read ``request.platformkit_access``; a project the policy
hides answers 404 through :func:`visible_project_or_404`, so its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from platformkit.checks import setup_required
from platformkit.conf import SetupMissing, feature_enabled, get_config
from platformkit.embed import requests as embed_requests

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from platformkit.models import EmbedSession


class PermissionedUser(Protocol):
    """What the default policy reads of a user (Django's ``PermissionsMixin`` users have it)."""

    is_active: bool
    is_staff: bool

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


class _Ref(Protocol):
    @property
    def ref(self) -> str: ...  # read-only: API results are frozen dataclasses


HasRef = TypeVar("HasRef", bound=_Ref)
View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Access:
    """What one user may do. ``None`` for a set of refs means "every project"."""

    visible_refs: frozenset[str] | None = None
    changeable_refs: frozenset[str] | None = None
    can_create_projects: bool = True
    can_reveal_credentials: bool = False
    # Merge a branch although a merge check (the security advisor) blocks it, giving a reason.
    can_override_merge_checks: bool = False
    # Embed sessions narrow further: ``sections`` maps a visible section to "read" or "write"
    # (None: every section, writable); ``denied_actions`` are never allowed.
    sections: Mapping[str, str] | None = None
    denied_actions: frozenset[str] = frozenset()
    embedded: bool = False

    def can_view(self, ref: str) -> bool:
        return self.visible_refs is None or ref in self.visible_refs

    def can_change(self, ref: str) -> bool:
        in_scope = self.changeable_refs is None or ref in self.changeable_refs
        return in_scope and self.can_view(ref)

    def can_view_section(self, section: str) -> bool:
        return self.sections is None or section == "projects" or section in self.sections

    def can_change_section(self, ref: str, section: str) -> bool:
        """Write access to one section of one project."""
        if self.sections is not None and self.sections.get(section) != "write":
            return False
        return self.can_change(ref)

    def offers(self, ref: str, section: str, action: str | None = None, *, write: bool = True) -> bool:
        """What ``project_view(section, write=write, action=action)`` would let through: pages
        offer only the actions this says yes to (an embed must not show a button that 403s)."""
        allowed = (
            self.can_change_section(ref, section) if write else self.can_view(ref) and self.can_view_section(section)
        )
        return allowed and (action is None or self.may(action))

    def may(self, action: str) -> bool:
        return action not in self.denied_actions

    def filter_projects(self, projects: Iterable[HasRef]) -> list[HasRef]:
        return [project for project in projects if self.can_view(project.ref)]


def staff_or_permission(user: AbstractBaseUser | AnonymousUser) -> Access | None:
    """Default policy: staff and holders of ``platformkit.use_dashboard`` see and change every
    project; revealing a stored password takes superuser or ``platformkit.reveal_credential``,
    overriding a blocking merge check superuser or ``platformkit.override_merge_checks``."""
    # Django's auth backends need a user model with is_staff and has_perm (PermissionsMixin);
    # AbstractBaseUser alone declares neither, so the type says what the policy relies on.
    member = cast(PermissionedUser, user)
    if not member.is_active or not (member.is_staff or member.has_perm("platformkit.use_dashboard")):
        return None
    return Access(
        can_reveal_credentials=member.has_perm("platformkit.reveal_credential"),
        can_override_merge_checks=member.has_perm("platformkit.override_merge_checks"),
    )


def get_access(user: AbstractBaseUser | AnonymousUser) -> Access | None:
    if not user.is_authenticated:
        return None
    policy: Callable[[Any], Access | None] = import_string(get_config()["PERMISSION_POLICY"])
    return policy(user)


def embed_access(session: EmbedSession) -> Access:
    """An embed session sees and changes its one project, in the sections it was granted."""
    refs = frozenset({session.project_ref})
    return Access(
        visible_refs=refs,
        changeable_refs=refs,
        can_create_projects=False,
        can_reveal_credentials=False,
        sections=dict(session.permissions.get("sections", {})),
        denied_actions=frozenset(session.permissions.get("deny", [])),
        embedded=True,
    )


def dashboard_view(section: str, *, embeddable: bool = True) -> Callable[[View], View]:
    """The gate of every platformkit view. An embed session (its cookie) acts for its end-user;
    otherwise login is required (to ``settings.LOGIN_URL``) and the permission policy decides
    (403 without access). A section switched off in ``FEATURES``, not granted to an embed, or a
    view that is not ``embeddable`` answers 404. CSRF is checked here for both kinds of session
    (see :mod:`platformkit.embed.requests`); framing headers are added for every platformkit URL
    by :func:`platformkit.embed.requests.framed`."""

    def decorator(view: View) -> View:
        protected = csrf_protect(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            session = embed_requests.session_for(request)
            if session is None:
                # A signed-in operator is never turned away by a stale embed cookie.
                ended = None if request.user.is_authenticated else embed_requests.ended_session_for(request)
                if ended is not None:
                    return embed_requests.session_ended(request, ended)
                return _or_setup_page(request, lambda: _as_user(request, args, kwargs))
            try:
                response = _or_setup_page(request, lambda: _as_embed(request, session, args, kwargs))
            finally:  # also when the view raised (404, 403): the error page must not carry it either
                embed_requests.keep_csrf_secret(request)
            embed_requests.leave(request, response)
            return response

        def _or_setup_page(request: HttpRequest, respond: Callable[[], HttpResponse]) -> HttpResponse:
            try:
                return respond()
            except SetupMissing as missing:
                # Say which setting is missing (503) rather than a traceback. Build steps and
                # checks run without it (E001 and E002 are deployment checks).
                return setup_required(request, missing)

        def _as_user(request: HttpRequest, args: Any, kwargs: Any) -> HttpResponse:
            if not feature_enabled(section):
                raise Http404("This section is switched off")
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            access = get_access(request.user)
            if access is None:
                raise PermissionDenied("platformkit: no dashboard access")
            request.platformkit_access = access  # type: ignore[attr-defined]
            return protected(request, *args, **kwargs)

        def _as_embed(request: HttpRequest, session: EmbedSession, args: Any, kwargs: Any) -> HttpResponse:
            access = embed_access(session)
            if not embeddable or not feature_enabled(section) or not access.can_view_section(section):
                raise Http404("Not part of this embed")
            embed_requests.enter(request, session)
            if embed_requests.cross_site_write(request):
                raise PermissionDenied("platformkit: cross-site write refused")
            request.platformkit_access = access  # type: ignore[attr-defined]
            request.platformkit_embed = session  # type: ignore[attr-defined]
            return protected(request, *args, **kwargs)

        # Django's middleware would check CSRF against the host's cookie, which an embed never
        # has: the check happens inside instead (``protected``), against the right secret.
        return csrf_exempt(wrapped)

    return decorator


def request_access(request: HttpRequest) -> Access:
    return request.platformkit_access  # type: ignore[attr-defined]


def visible_project_or_404(request: HttpRequest, ref: str) -> None:
    if not request_access(request).can_view(ref):
        raise Http404("No such project")


def changeable_project_or_403(request: HttpRequest, ref: str) -> None:
    visible_project_or_404(request, ref)
    if not request_access(request).can_change(ref):
        raise PermissionDenied("platformkit: read-only access to this project")


def _refused(request: HttpRequest, ref: str, section: str, reason: str) -> HttpResponse:
    """The section's own 403 page (``core.refusals``, by dotted path: it renders through
    ``core.rendering``, which imports this module)."""
    refused: Callable[..., HttpResponse] = import_string("platformkit.core.refusals.refused")
    return refused(request, ref, section, reason)


def project_view(section: str, *, write: bool = False, action: str | None = None) -> Callable[[View], View]:
    """The one gate for every view under ``projects/<ref>/``, pages and HTMX endpoints alike.

    :func:`dashboard_view` first; then the project must be visible (404, so its existence does
    not leak) and, for ``write`` views, changeable in ``section`` (403); an ``action`` an embed's
    permission set denies (e.g. ``restore_points.pitr``) is 403 too. A 403 is the section's own
    page (navigation, a link back, what was typed), not a bare error filling the frame. Sets
    ``request.platformkit_target``: where the view's API calls go (production, or one of the
    project's branches chosen with ``?branch=``; see :mod:`platformkit.targets`). A view never
    takes a ref from anywhere else, so a session scoped to one project cannot reach another."""

    def decorator(view: View) -> View:
        @wraps(view)
        def gated(request: HttpRequest, *args: Any, ref: str, **kwargs: Any) -> HttpResponse:
            from platformkit.core.targets import resolve_target

            visible_project_or_404(request, ref)
            if write and not request_access(request).can_change_section(ref, section):
                return _refused(request, ref, section, "Your access to this project lets you look, not change this.")
            if action is not None and not request_access(request).may(action):
                return _refused(request, ref, section, "Your access to this project does not include this action.")
            request.platformkit_target = resolve_target(request, ref)  # type: ignore[attr-defined]
            return view(request, *args, ref=ref, **kwargs)

        wrapped = dashboard_view(section)(gated)
        wrapped.platformkit_section = section  # type: ignore[attr-defined]
        wrapped.platformkit_write = write  # type: ignore[attr-defined]
        wrapped.platformkit_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator
