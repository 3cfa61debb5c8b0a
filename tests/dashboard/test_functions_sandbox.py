"""The dashboard's test-invoke of a function that sets cookies: the operator's page carries no
cookie from the function and the operator's session survives (the dashboard only shows the answer)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from platformkit.localapi.functions.runtime import find_deno
from tests.dashboard.test_functions import _deploy, project_ref  # noqa: F401  (project_ref is a fixture)

SETS_COOKIES = (
    b"Deno.serve(() => { const h = new Headers({ 'content-type': 'text/plain', 'x-kept': 'yes' });"
    b" h.append('set-cookie', 'sessionid=stolen; Path=/'); h.append('set-cookie', 'csrftoken=forged; Path=/');"
    b" h.set('keep-alive', 'timeout=5'); return new Response('cookie?', { headers: h }); });"
)


@pytest.mark.skipif(find_deno() is None, reason="no Deno here: `make deno` installs it (make test does)")
def test_a_functions_cookies_never_reach_the_dashboard(operator_client: Client, project_ref: str) -> None:  # noqa: F811
    _deploy(operator_client, project_ref, [("index.ts", SETS_COOKIES)], verify_jwt="")
    session = operator_client.cookies[settings.SESSION_COOKIE_NAME].value
    response = operator_client.post(
        reverse("platformkit:function-invoke", args=[project_ref, "hello"]), {"method": "GET", "headers": ""}
    )
    text = response.content.decode()
    assert response.status_code == 200 and "data-invoke-status>200<" in text
    assert [morsel.value for morsel in response.cookies.values() if morsel.value in ("stolen", "forged")] == []
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # only the site's own csrftoken may be set
    shown = [cell.split("</th>")[0] for cell in text.split('<th scope="row">')[1:]]  # the response-headers table
    assert "x-kept" in shown and "set-cookie" not in shown and "keep-alive" not in shown
    assert operator_client.cookies[settings.SESSION_COOKIE_NAME].value == session
    assert operator_client.get(reverse("platformkit:function", args=[project_ref, "hello"])).status_code == 200
