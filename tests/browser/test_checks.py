"""The checks every journey relies on can fail: axe-core, the unchecked-page guard, the CSP."""

import pytest

from consult.core.security import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.browser

BROKEN_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Sonde</title></head>
<body><main><h1>Sonde</h1>
<img src="/static/dsfr/favicon/favicon.svg">
<form><input type="text" name="sans-etiquette"></form>
</main></body></html>"""


def serve(page, url: str, html: str, headers: dict | None = None) -> None:
    page.route(
        url,
        lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=html, headers=headers
        ),
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_axe_reports_serious_violations(browse, live_server, javascript):
    page = browse.open(javascript=javascript)
    url = f"{live_server.url}/sonde-accessibilite"
    serve(page, url, BROKEN_PAGE)

    with pytest.raises(pytest.fail.Exception) as failure:
        browse.visit(page, url)

    report = str(failure.value)
    assert "image-alt [critical]" in report
    assert "label [critical]" in report
    assert "at img" in report and "at input" in report


def test_a_page_reached_without_a_check_is_reported(browse, live_server):
    page = browse.open()
    browse.visit(page, "/")
    page.goto("/plan-du-site")  # no check
    browse.visit(page, "/connexion")

    problems = browse.close()
    browse.trackers.clear()
    assert problems == [f"page reached but never checked: {live_server.url}/plan-du-site"]


def test_a_script_refused_by_the_csp_is_reported(browse, live_server):
    page = browse.open()
    url = f"{live_server.url}/sonde-csp"
    html = BROKEN_PAGE.replace("<main>", "<main><script>document.title = 'x';</script>")
    serve(page, url, html, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})
    page.goto(url)
    browse.trackers[0].checked(url)  # this test is about the CSP, not axe

    problems = browse.close()
    browse.trackers.clear()
    assert len(problems) == 1 and problems[0].startswith("CSP: "), problems
