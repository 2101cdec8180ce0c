"""Browser journeys: Debian's Chromium driven by Playwright against a live server of our own.

One browser and one live server for the whole run; a fresh browser context (cookies, storage)
for each test. The live server has its own SQLite database in a temporary folder, never the
shared test database nor PostgreSQL, and keeps its e-mails in memory.

Every page a journey reaches goes through axe-core: a test that navigates to a page it did not
check fails, and so does any serious or critical violation or Content-Security-Policy refusal.
"""

import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from consult.app import REPOSITORY

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = REPOSITORY / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT_MS = 15_000
BLOCKING_IMPACTS = ("serious", "critical")
BROWSER_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Everything in this folder is a browser test, whatever its module says."""
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def _missing(what: str) -> None:
    """Skip on a developer's machine, fail in CI: CI must never skip the journeys silently."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} (CI=true: the browser journeys must run)", pytrace=False)
    pytest.skip(what)


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing(f"{AXE.relative_to(REPOSITORY)} is missing: run `make assets` (npm ci)")
    return AXE.read_text(encoding="utf-8")


# --- the live server ---------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: object

    def messages(self, recipient: str, template: str) -> list:
        from consult.core.mail import sent_messages

        return [
            message
            for message in list(sent_messages(self.app))
            if message.recipient == recipient and message.template == template
        ]

    def wait_for_mail(self, recipient: str, template: str, timeout: float = 10.0):
        """The last `template` e-mail sent to `recipient`: mail leaves after the response."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(recipient, template)
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no {template!r} e-mail reached {recipient} in {timeout}s")
            time.sleep(0.05)

    def link_in(self, message, path_prefix: str) -> str:
        """The one link of `message` to a page of this server under `path_prefix`."""
        pattern = re.escape(self.url + path_prefix) + r"\S+"
        links = re.findall(pattern, message.body)
        assert len(links) == 1, f"expected one {path_prefix} link in:\n{message.body}"
        return links[0]

    def translate(self, msgid: str, locale: str) -> str:
        """`msgid` as the interface shows it in `locale`, from the compiled catalogue if any."""
        from flask_babel import force_locale, gettext

        with self.app.test_request_context(), force_locale(locale):
            return gettext(msgid)


@pytest.fixture(scope="session")
def live_server():
    from flask_migrate import upgrade
    from werkzeug.serving import WSGIRequestHandler, make_server

    from consult import create_app
    from consult.core.db import db

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    with (
        tempfile.TemporaryDirectory(prefix="consult-live-") as folder,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv("CONSULT_INSTANCE_PATH", str(Path(folder) / "instance"))
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "live-server-secret-key-long-enough-for-the-check",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'live.db'}",
                "MAIL_BACKEND": "memory",
                "RATELIMIT_ENABLED": False,
                "DEMO_DATA": False,
            }
        )
        with app.app_context():
            upgrade()
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        url = f"http://127.0.0.1:{server.server_port}"
        app.config["SERVER_BASE_URL"] = url  # links in e-mails lead back to this server
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        try:
            yield LiveServer(url=url, app=app)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            with app.app_context():
                db.engine.dispose()


@dataclass
class Account:
    email: str
    password: str
    display_name: str


@pytest.fixture
def make_account(live_server):
    """A verified participant in the live server's database."""
    from consult.core.db import db
    from tests.factories import DEFAULT_PASSWORD, make_user

    counter = iter(range(1, 1000))

    def create(password: str = DEFAULT_PASSWORD, **kwargs) -> Account:
        email = f"parcours-{time.monotonic_ns()}-{next(counter)}@exemple.fr"
        with live_server.app.app_context():
            user = make_user(
                email=email,
                password=None if password == DEFAULT_PASSWORD else password,
                **kwargs,
            )
            account = Account(email=user.email, password=password, display_name=user.display_name)
            db.session.commit()
            db.session.remove()
        return account

    return create


# --- accessibility -----------------------------------------------------------------------------

RUN_AXE = """async ([impacts]) => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((violation) => impacts.includes(violation.impact))
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      helpUrl: violation.helpUrl,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
}"""


def _report(url: str, violations: list[dict], javascript: bool) -> str:
    lines = [f"axe-core: serious or critical violations on {url} (JavaScript {javascript}):"]
    for violation in violations:
        lines.append(f"  {violation['id']} [{violation['impact']}]: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        lines.extend(f"    at {target}" for target in violation["targets"][:10])
    return "\n".join(lines)


@pytest.fixture
def check_a11y(browser, axe_source, live_server):
    """Run axe-core on what `page` shows now; fail on any serious or critical violation.

    axe goes in through `page.evaluate`, which the page's CSP does not restrict. A page opened
    without JavaScript cannot evaluate anything: its very HTML is then shown again in a page
    that loads no script, and checked there.
    """
    mirrors = []

    def run_axe(page) -> list[dict]:
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        return page.evaluate(RUN_AXE, [list(BLOCKING_IMPACTS)])

    def without_javascript(page) -> list[dict]:
        html, url = page.content(), page.url
        if not mirrors:
            mirrors.append(browser.new_context(locale="fr-FR"))
        mirror = mirrors[0].new_page()
        mirror.set_default_timeout(TIMEOUT_MS)

        def serve(route):
            if route.request.resource_type == "script":
                route.abort()
            elif route.request.url == url and route.request.resource_type == "document":
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            else:
                route.continue_()

        mirror.route("**/*", serve)
        try:
            mirror.goto(url)
            return run_axe(mirror)
        finally:
            mirror.close()

    def check(page) -> None:
        javascript = getattr(page, "consult_javascript", True)
        violations = run_axe(page) if javascript else without_javascript(page)
        tracker = getattr(page, "consult_tracker", None)
        if tracker is not None:
            tracker.checked(page.url)
        if violations:
            pytest.fail(_report(page.url, violations, javascript), pytrace=False)

    yield check
    for context in mirrors:
        context.close()


# --- pages -------------------------------------------------------------------------------------


@dataclass
class PageTracker:
    """Which pages a tab reached without an accessibility check, and what the browser refused."""

    current: str | None = None
    pending: str | None = None
    unchecked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def navigated(self, url: str) -> None:
        if not url.startswith("http"):
            return
        same_document = (
            self.current is not None and urldefrag(self.current).url == urldefrag(url).url
        )
        self.current = url
        if same_document and self.pending is None:
            return  # an anchor on a page already checked (a skip link), not a new page
        if self.pending is not None:
            self.unchecked.append(self.pending)
        self.pending = url

    def checked(self, url: str) -> None:
        self.pending = None

    def console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"CSP: {message.text}")


@dataclass
class Browse:
    """Opens tabs on the live server and moves through them, checking every page reached."""

    browser: object
    server: LiveServer
    check: Callable
    contexts: list = field(default_factory=list)
    trackers: list = field(default_factory=list)

    def open(self, *, javascript: bool = True, locale: str = "fr-FR", width: int = 1280):
        """A new tab in a context of its own (no cookies), its Accept-Language from `locale`."""
        context = self.browser.new_context(
            base_url=self.server.url,
            locale=locale,
            java_script_enabled=javascript,
            accept_downloads=True,
            viewport={"width": width, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        tracker = PageTracker()
        self.trackers.append(tracker)
        page.consult_javascript = javascript
        page.consult_tracker = tracker

        def navigated(frame) -> None:
            if frame.parent_frame is None:
                tracker.navigated(frame.url)

        page.on("framenavigated", navigated)
        page.on("console", tracker.console)
        page.on("pageerror", lambda error: tracker.problems.append(f"script error: {error}"))
        return page

    def visit(self, page, path: str, *, status: int = 200):
        """Go to `path`, expect `status` once redirects are followed, check the page."""
        response = page.goto(path)
        assert response is not None and response.status == status, (
            f"{path}: {response.status if response else 'no response'} instead of {status}"
        )
        self.check(page)
        return response

    def click(self, page, selector: str, *, status: int = 200):
        """Click what leads to another page (a link, a submit button), check the page reached."""
        return self.act(page, lambda: page.click(selector), status=status)

    def press(self, page, key: str, *, status: int = 200):
        """Press a key that leads to another page (Enter in a form), check the page reached."""
        return self.act(page, lambda: page.keyboard.press(key), status=status)

    def act(self, page, action: Callable, *, status: int = 200):
        with page.expect_navigation() as navigation:
            action()
        response = navigation.value
        assert response is not None and response.status == status, (
            f"{page.url}: {response.status if response else 'no response'} instead of {status}"
        )
        self.check(page)
        return response

    def close(self) -> list[str]:
        for context in self.contexts:
            context.close()
        self.contexts.clear()
        problems = []
        for tracker in self.trackers:
            if tracker.pending is not None:
                tracker.unchecked.append(tracker.pending)
            problems.extend(f"page reached but never checked: {url}" for url in tracker.unchecked)
            problems.extend(tracker.problems)
        return problems


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.consult_call_failed = report.failed
    return report


@pytest.fixture
def browse(request, browser, live_server, check_a11y):
    session = Browse(browser=browser, server=live_server, check=check_a11y)
    yield session
    problems = session.close()
    # After a failure the journey stopped half-way: its unchecked last page is no news.
    if problems and not getattr(request.node, "consult_call_failed", False):
        pytest.fail("\n".join(problems), pytrace=False)
