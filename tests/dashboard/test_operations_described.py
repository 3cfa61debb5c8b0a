"""Operations that say what they are: a title from kind and target, a result per kind, a link to
the thing changed, a failed deploy's form given back, and the overview's recent operations."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from platformkit.models import Operation
from platformkit.sections.functions import tasks as function_tasks
from platformkit.sections.settings.config import tasks as config_tasks
from tests.dashboard.test_functions import HELLO, project_ref  # noqa: F401  (fixture)
from tests.dashboard.test_service_config import _sealed


def _deploy(client: Client, ref: str, **form: Any) -> Operation:
    data = {
        "slug": "hello",
        "entrypoint_path": "index.ts",
        "verify_jwt": "on",
        "file": [SimpleUploadedFile("index.ts", HELLO)],
        "path": ["index.ts"],
        **form,
    }
    assert client.post(reverse("platformkit:functions-deploy", args=[ref]), data).status_code == 302
    operation = Operation.objects.filter(kind="functions.deploy").first()
    assert operation is not None
    function_tasks.deploy_task(operation.pk)
    operation.refresh_from_db()
    return operation


def test_a_deploy_names_the_function_and_links_to_it(operator_client: Client, project_ref: str) -> None:  # noqa: F811
    operation = _deploy(operator_client, project_ref)
    page = operator_client.get(reverse("platformkit:operation", args=[operation.pk])).content.decode()
    assert "<title>Deploy function hello on production" in page
    assert "Deploy function hello on production" in page.split("data-operation-title", 1)[1]
    assert "Done: Function hello is deployed on production." in page and "up and healthy" not in page
    link = reverse("platformkit:function", args=[project_ref, "hello"])
    assert f'href="{link}" data-operation-link>Open function hello</a>' in page


def test_an_operation_on_a_branch_says_so_and_links_there(operator_client: Client, project_ref: str) -> None:  # noqa: F811
    operation = Operation.objects.create(
        kind="functions.deploy",
        project_ref=project_ref,
        status=Operation.Status.SUCCEEDED,
        params={"target": "devbranchref0000000", "branch": "dev", "slug": "hello"},
        deadline=timezone.now(),
    )
    page = operator_client.get(reverse("platformkit:operation", args=[operation.pk])).content.decode()
    assert "Deploy function hello on branch dev" in page and "Function hello is deployed on branch dev." in page
    link = reverse("platformkit:function", args=[project_ref, "hello"]) + "?branch=devbranchref0000000"
    assert f'href="{link}"' in page


def test_a_failed_deploy_gives_the_form_back_with_the_error(operator_client: Client, project_ref: str) -> None:  # noqa: F811
    operation = _deploy(
        operator_client,
        project_ref,
        slug="broken",
        import_map_path="deno.json",
        static_patterns="public/*",
        file=[SimpleUploadedFile("index.ts", HELLO), SimpleUploadedFile("deno.json", b"{nope")],
        path=["index.ts", "deno.json"],
    )
    assert operation.status == "failed"
    page = operator_client.get(reverse("platformkit:operation", args=[operation.pk])).content.decode()
    assert "Deploy function broken on production" in page and "The import map deno.json is not valid JSON" in page
    retry = reverse("platformkit:functions", args=[project_ref]) + f"?retry={operation.pk}"
    assert f'href="{retry}" data-operation-retry' in page
    form = operator_client.get(retry).content.decode()
    assert 'name="slug" value="broken"' in form and 'value="deno.json"' in form and ">public/*</textarea>" in form
    assert "data-deploy-error>The API refused the deploy: The import map deno.json is not valid JSON" in form
    assert "the failed deploy sent: index.ts, deno.json." in form
    # Another project's operation, or a successful one, fills nothing.
    assert "data-deploy-error" not in operator_client.get(retry.replace(str(operation.pk), "999999")).content.decode()


def test_auth_change_says_what_it_changed(operator_client: Client, make_project: Any, upstream: Any) -> None:
    from tests.dashboard.test_lifecycle import healthy

    project = make_project("Auth titled")
    healthy(upstream, project.ref)
    review = operator_client.post(
        reverse("platformkit:config-review", args=[project.ref, "auth"]), {"mailer_otp_exp": "1800"}
    )
    operator_client.post(reverse("platformkit:config-apply", args=[project.ref, "auth"]), {"change": _sealed(review)})
    operation = Operation.objects.get(kind="settings.config.auth")
    while config_tasks.apply_when_healthy(operation.pk) == "continued":
        pass
    page = operator_client.get(reverse("platformkit:operation", args=[operation.pk])).content.decode()
    assert "Apply Auth configuration on production" in page
    assert "Done: The Auth configuration is applied on production." in page and "up and healthy" not in page
    assert "configuration was changed" not in page  # said once, not twice
    assert f'href="{reverse("platformkit:config", args=[project.ref, "auth"])}" data-operation-link' in page


def test_overview_lists_recent_operations_and_dismisses_finished_ones(
    operator_client: Client,
    project_ref: str,  # noqa: F811
) -> None:
    deployed = _deploy(operator_client, project_ref)
    running = Operation.objects.create(
        kind="restore_points.create",
        project_ref=project_ref,
        status=Operation.Status.RUNNING,
        params={"project": project_ref, "name": "before-lunch", "branch": None},
        deadline=timezone.now(),
    )
    overview = operator_client.get(reverse("platformkit:project", args=[project_ref])).content.decode()
    assert "Deploy function hello on production" in overview
    assert "Take restore point before-lunch on production" in overview
    dismiss = reverse("platformkit:operation-dismiss", args=[project_ref, deployed.pk])
    assert f'action="{dismiss}"' in overview
    assert f'action="{reverse("platformkit:operation-dismiss", args=[project_ref, running.pk])}"' not in overview
    assert operator_client.post(dismiss).status_code == 302
    after = operator_client.get(reverse("platformkit:project", args=[project_ref])).content.decode()
    assert "Deploy function hello on production" not in after and "before-lunch" in after
    # Still running: not dismissible.
    not_yet = reverse("platformkit:operation-dismiss", args=[project_ref, running.pk])
    assert operator_client.post(not_yet).status_code == 404


def test_finished_cards_are_the_target_s_last_three_of_the_hour(
    operator_client: Client,
    project_ref: str,  # noqa: F811
) -> None:
    from datetime import timedelta

    def done(name: str, *, ago: timedelta, ref: str = project_ref) -> Operation:
        return Operation.objects.create(
            kind="restore_points.create",
            project_ref=ref,
            status=Operation.Status.SUCCEEDED,
            params={"project": project_ref, "name": name, "branch": None if ref == project_ref else "dev"},
            deadline=timezone.now(),
            finished_at=timezone.now() - ago,
        )

    done("yesterday", ago=timedelta(hours=2))
    for minute in range(5):
        done(f"point-{minute}", ago=timedelta(minutes=10 - minute))
    done("on-dev", ago=timedelta(minutes=1), ref="b" * 20)  # a branch's: on the branch's overview
    overview = operator_client.get(reverse("platformkit:project", args=[project_ref])).content.decode()
    shown = [name for name in ("yesterday", "on-dev", *(f"point-{m}" for m in range(5))) if name in overview]
    assert shown == ["point-2", "point-3", "point-4"]  # the newest three, by when they were created


def test_a_branch_s_deploy_is_the_branch_s_card_not_production_s(
    operator_client: Client,
    project_ref: str,  # noqa: F811
) -> None:
    from platformkit.sections.projects.services import recent_operations

    branch = "b" * 20
    params = {"target": branch, "branch": "dev", "slug": "hello"}  # as functions.services records it
    running = Operation.objects.create(
        kind="functions.deploy", project_ref=project_ref, params=params, deadline=timezone.now()
    )
    finished = Operation.objects.create(
        kind="functions.deploy",
        project_ref=project_ref,
        params=params,
        status=Operation.Status.SUCCEEDED,
        deadline=timezone.now(),
        finished_at=timezone.now(),
    )
    on_production = [op.pk for op in recent_operations(project_ref, "user:1")]
    on_branch = [op.pk for op in recent_operations(branch, "user:1")]
    assert on_production == [running.pk]  # production shows what runs on its branches, not their news
    assert on_branch == [running.pk, finished.pk]


def test_a_running_workflow_names_its_steps_in_words(operator_client: Client, project_ref: str) -> None:  # noqa: F811
    running = Operation.objects.create(
        kind="branches.merge",
        project_ref=project_ref,
        status=Operation.Status.RUNNING,
        params={"project": project_ref, "branch": "dev", "run_id": "r1"},
        progress={
            "steps": [
                {"name": "clone", "status": "EXITED"},
                {"name": "migrate", "status": "RUNNING"},
                {"name": "health", "status": "CREATED"},
            ]
        },
        deadline=timezone.now(),
    )
    page = operator_client.get(reverse("platformkit:operation", args=[running.pk])).content.decode()
    assert "Working: clone done, migrate running, health waiting…" in page


def test_the_overview_s_title_names_the_project_once(operator_client: Client, project_ref: str) -> None:  # noqa: F811
    import re

    page = operator_client.get(reverse("platformkit:project", args=[project_ref])).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title and title.group(1).startswith("Overview · ") and title.group(1).count("Functions") == 1, title
