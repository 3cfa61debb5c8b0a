"""The branch context never gets lost: on a branch, every project page names the target in a
banner (project and branch; production marked as production), and every link, form and HTMX
request of every project page reachable from the sidebar stays on the branch.

The walk follows the pages as an operator would (GET links within the project, from the
sidebar down), through Django's test client against the local API over real HTTP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.dashboard.conftest import assert_valid_html
from tests.dashboard.test_branches_migrations import _create_branch, project_ref  # noqa: F401 (fixture)

MAX_PAGES = 80  # the sidebar's sections and the pages they link to, each path once


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    hx_url: str | None = None


@dataclass
class Page:
    links: list[str] = field(default_factory=list)  # a[href]
    htmx: list[tuple[str, str]] = field(default_factory=list)  # (tag, hx-get/hx-post url) outside forms
    forms: list[Form] = field(default_factory=list)
    banner: str = ""


class _Reader(HTMLParser):
    """Links, forms (with their named fields) and hx-get/hx-post URLs of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._form: Form | None = None
        self._banner_depth = 0
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if self._banner_depth:
            self._banner_depth += 1
        elif "data-target-banner" in values:
            self._banner_depth = 1
        hx = values.get("hx-get") or values.get("hx-post")
        if tag == "form":
            self._form = Form(values.get("method", "get").lower(), values.get("action", ""), hx_url=hx)
            self.page.forms.append(self._form)
            return
        if tag == "a" and "href" in values:
            self.page.links.append(values["href"])
        if self._form is not None and tag in ("input", "select", "textarea") and values.get("name"):
            self._form.fields.setdefault(values["name"], values.get("value", ""))
            self._select = values["name"] if tag == "select" else None
        if tag == "option" and self._form is not None and self._select and "selected" in values:
            self._form.fields[self._select] = values.get("value", "")
        if hx and tag != "form" and (self._form is None or tag in ("a", "div", "section")):
            self.page.htmx.append((tag, hx))

    def handle_endtag(self, tag: str) -> None:
        if self._banner_depth:
            self._banner_depth -= 1
        if tag == "form":
            self._form = None
        if tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._banner_depth:
            self.page.banner += data


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    return reader.page


def _branch_of(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query).get("branch", [])


def _in_project(url: str, ref: str) -> bool:
    path = urlsplit(url).path
    return path.startswith(f"/platform/projects/{ref}/") or path.startswith("/platform/operations/")


def _kept(url: str, branch: str) -> bool:
    """A URL stays on the branch when it names it: ``?branch=`` or the branch's ref in the path
    (a branch's own merge/reset/delete)."""
    return _branch_of(url) == [branch] or f"/{branch}/" in urlsplit(url).path


def walk(client: Client, ref: str, branch: str) -> tuple[dict[str, Page], list[str]]:
    """Every page reachable by GET from the branch's overview; and what on them drops the branch."""
    start = reverse("platformkit:project", args=[ref]) + f"?branch={branch}"
    queue, seen_paths, pages, lost = [start], set(), {}, []
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        key = urlsplit(url).path + "?" + "&".join(sorted(k for k in parse_qs(urlsplit(url).query) if k != "branch"))
        if key in seen_paths:
            continue
        seen_paths.add(key)
        response = client.get(url)
        assert response.status_code in (200, 302), f"{url}: {response.status_code}"
        if response.status_code == 302:
            target = response["Location"]
            if _in_project(target, ref) and not _kept(target, branch):
                lost.append(f"{url} redirects to {target}")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        page = read(html)
        pages[url] = page
        for href in page.links:
            absolute = urljoin(url, href)
            if href.startswith("#") or not _in_project(absolute, ref):
                continue
            if not _kept(absolute, branch):
                lost.append(f"{url}: link {href}")
            elif not re.search(r"/(delete|reset|merge)/|reveal", urlsplit(absolute).path):
                queue.append(absolute)
        for tag, hx_url in page.htmx:
            absolute = urljoin(url, hx_url)
            if _in_project(absolute, ref) and not _kept(absolute, branch):
                lost.append(f"{url}: <{tag} hx-…={hx_url}>")
        for form in page.forms:
            for action in {form.action, *([form.hx_url] if form.hx_url else [])}:
                absolute = urljoin(url, action)  # "" is the page's own URL, query included
                if not _in_project(absolute, ref):
                    continue
                # A GET form's submission replaces the action's query with its fields.
                carried = form.fields.get("branch") == branch
                if form.method == "post" or (form.hx_url and action == form.hx_url and form.method != "get"):
                    carried = carried or _kept(absolute, branch)
                elif f"/{branch}/" in urlsplit(absolute).path:
                    carried = True
                if not carried:
                    lost.append(f"{url}: <form method={form.method} action={action or '(this page)'}>")
    return pages, lost


@pytest.fixture
def on_branch(operator_client: Client, project_ref: str) -> tuple[str, str]:  # noqa: F811
    from django.utils import timezone

    from platformkit.models import RestorePoint

    branch = _create_branch(operator_client, project_ref)
    # A restore point of the branch: its "Undo to here…" page is one of the branch's pages too.
    RestorePoint.objects.create(
        project_ref=project_ref,
        target_ref=branch,
        branch_name="dev",
        name="before-test",
        status=RestorePoint.Status.AVAILABLE,
        completed_on=timezone.now(),
        actor_label="operator",
    )
    return project_ref, branch


def test_every_link_and_form_of_every_project_page_stays_on_the_branch(
    operator_client: Client, on_branch: tuple[str, str]
) -> None:
    ref, branch = on_branch
    pages, lost = walk(operator_client, ref, branch)
    visited = {urlsplit(url).path for url in pages}
    # The walk went through the sidebar: every built project section was seen on the branch.
    for name in ("project", "branches", "sql", "migrations", "functions", "restore-points", "advisors", "logs"):
        assert reverse(f"platformkit:{name}", args=[ref]) in visited, name
    assert any(path.endswith("/undo/") for path in visited)
    assert len(pages) >= 15
    assert not lost, "these drop the branch and land on production:\n" + "\n".join(lost)
    for url, page in pages.items():
        assert "dev" in page.banner and "Arranged project" in page.banner, (url, page.banner)
        assert "production" not in page.banner, (url, page.banner)


def test_the_banner_names_the_target(operator_client: Client, on_branch: tuple[str, str]) -> None:
    ref, branch = on_branch
    for name in ("project", "sql", "restore-points", "secrets"):
        production = operator_client.get(reverse(f"platformkit:{name}", args=[ref])).content.decode()
        assert_valid_html(production)
        banner = read(production).banner
        assert "Arranged project" in banner and "production" in banner.lower(), (name, banner)
        assert 'data-target-banner="production"' in production
        on_dev = operator_client.get(reverse(f"platformkit:{name}", args=[ref]) + f"?branch={branch}").content.decode()
        assert_valid_html(on_dev)
        banner = read(on_dev).banner
        assert "Arranged project" in banner and "branch dev" in banner, (name, banner)
        assert 'data-target-banner="branch"' in on_dev
    # Pages outside a project have no banner.
    assert "data-target-banner" not in operator_client.get(reverse("platformkit:projects")).content.decode()


@pytest.mark.parametrize("row_on", ["production", "branch"])
def test_an_operation_page_on_a_branch_keeps_the_branch(
    operator_client: Client, on_branch: tuple[str, str], row_on: str
) -> None:
    from django.utils import timezone

    from platformkit.models import Operation

    ref, branch = on_branch
    # An operation on the branch, recorded either way sections do: the row on production with
    # the branch as its target (a deploy, as functions.services makes it), or on the branch's ref.
    operation = Operation.objects.create(
        kind="functions.deploy",
        project_ref=ref if row_on == "production" else branch,
        status=Operation.Status.FAILED,
        params={"project": ref, "branch": "dev", "target": branch, "slug": "hello"},
        message="bundle rejected",
        deadline=timezone.now(),
    )
    response = operator_client.get(reverse("platformkit:operation", args=[operation.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_valid_html(html)
    page = read(html)
    assert "Arranged project" in page.banner and "branch dev" in page.banner, page.banner
    assert "<title>Deploy function hello on branch dev · Arranged project (branch dev)" in html
    # No link treats the branch's ref as a project; every project link carries the branch.
    assert not [href for href in page.links if f"/projects/{branch}/" in href]
    project_links = [href for href in page.links if f"/projects/{ref}/" in href]
    assert project_links and all(_kept(href, branch) for href in project_links), project_links


def test_the_banner_reads_itself_again_at_its_own_url(operator_client: Client, on_branch: tuple[str, str]) -> None:
    """Each project page's banner refreshes from its own URL when an operation finishes: that
    answer is the banner alone (a page's partial would not hold it), for the same target."""
    ref, branch = on_branch
    page = operator_client.get(reverse("platformkit:sql", args=[ref]) + f"?branch={branch}").content.decode()
    own = reverse("platformkit:project-banner", args=[ref]) + f"?branch={branch}"
    assert f'hx-get="{own}"' in page
    answer = operator_client.get(own, headers={"HX-Request": "true"})
    html = answer.content.decode()
    assert answer.status_code == 200 and html.lstrip().startswith("<div") and html.count("data-target-banner=") == 1
    assert "branch dev" in read(html).banner and f'hx-get="{own}"' in html and "HX-Trigger" not in answer.headers
