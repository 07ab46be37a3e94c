"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

The browser is the distribution's (/usr/bin/chromium, installed by scripts/system-deps.sh):
Playwright's own download (`playwright install`) is never used. The live server runs in a thread
of the test process, so it shares the test database (transactional_db: committed data) and the
in-memory outbox of the locmem e-mail backend.

Every document any tab loads is checked by axe-core (WCAG 2.1 A and AA), and the test fails on any
violation: see tests/browser/accessibilite.py.

The browser speaks French (CHROMIUM_ENV, and each context's locale): date fields read jj/mm/aaaa once
Debian's chromium-l10n is installed.
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser import accessibilite

# Playwright's sync API keeps an asyncio loop running in the main thread for the whole session,
# and Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation).
# Nothing here is async: the loop only drives the browser. Set on import, so it also covers the
# tests that run after the first browser test.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Headless, and nothing that calls the outside world: this network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# French, as the users' browsers are: date fields read jj/mm/aaaa, as their help texts say. On Linux Chromium
# takes its language from the environment (LANGUAGE), not from --lang, which it ignores there; and it needs
# its French locale file, which Debian ships apart, in chromium-l10n. Without it the pages are the same,
# only the browser's own words (date fields, file pickers) stay in English.
CHROMIUM_ENV = {"LANGUAGE": "fr_FR:fr"}
DEFAULT_TIMEOUT_MS = 10_000
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"

_reports = pytest.StashKey[dict]()
_axe = pytest.StashKey[accessibilite.Registre]()
_registre_courant: list[accessibilite.Registre] = []


def chromium_en_francais() -> bool:
    """Whether the browser has its French locale (Debian: /usr/lib/chromium/locales/fr.pak, from
    chromium-l10n; next to the binary for another build)."""
    binaire = Path(os.path.realpath(CHROMIUM))
    # /usr/bin/chromium is Debian's wrapper script; the browser and its locales are in /usr/lib/chromium.
    dossier = Path("/usr/lib/chromium") if binaire.parent.name == "bin" else binaire.parent
    return (dossier / "locales" / "fr.pak").exists()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test: at teardown, `page` knows whether the test failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """axe-core: at the end of the test, the last document of each tab is checked, and the test fails
    on any violation found in any document it loaded (see tests/browser/accessibilite.py)."""
    registre = item.stash.get(_axe, None)
    try:
        resultat = yield
    except BaseException:
        if registre is not None:
            registre.actif = False
            registre.comptabiliser()
            if rapport := registre.rapport(interrompu=True):
                item.add_report_section("call", "axe-core", rapport)
        raise
    if registre is not None:
        registre.terminer()
        registre.comptabiliser()
        if rapport := registre.rapport():
            pytest.fail(rapport, pytrace=False)
    return resultat


def pytest_terminal_summary(terminalreporter):
    if bilan := accessibilite.bilan_session():
        terminalreporter.write_line(bilan)


@pytest.fixture(autouse=True)
def _axe_sur_chaque_page(request):
    """Every tab opened during this test is watched by axe-core."""
    registre = accessibilite.Registre()
    request.node.stash[_axe] = registre
    _registre_courant.append(registre)
    yield registre
    registre.actif = False
    _registre_courant.remove(registre)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = (
            f"{CHROMIUM} not found: install Debian's chromium (make system-deps) "
            "or set CHROMIUM_PATH. Never `playwright install`."
        )
        if _in_ci():
            pytest.fail(f"Browser tests cannot run in CI: {message}", pytrace=False)
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    patch = pytest.MonkeyPatch()
    accessibilite.installer(patch, lambda: _registre_courant[-1] if _registre_courant else None)
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, env={**os.environ, **CHROMIUM_ENV}
        )
        yield browser
        browser.close()
    finally:
        patch.undo()
        playwright.stop()


@pytest.fixture(scope="session")
def live_server(_live_server_without_media, live_server):
    return live_server


@pytest.fixture(scope="session")
def _live_server_without_media():
    """Django's live server also serves MEDIA_URL, which is None here on purpose (uploaded
    documents have no public URL) and breaks that handler: the live server serves no media at all,
    like production."""
    from django.test import testcases

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(testcases, "_MediaFilesHandler", lambda application: application)
        yield


@pytest.fixture(autouse=True)
def _links_point_to_live_server(settings, live_server):
    """The absolute links the application writes (e-mails) lead to the live server under test."""
    settings.SITE_URL = live_server.url


@pytest.fixture
def page(request, browser, live_server):
    """A French-speaking browser tab on a fresh context (no cookies); `page.goto("/")` opens the
    live server. On failure a full-page screenshot is saved into test-results/."""
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context._nom_axe = "page"  # names the tab in axe's report
    page = context.new_page()
    yield page
    report = request.node.stash.get(_reports, {}).get("call")
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        try:
            page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)
        except Exception as error:  # the page may be what broke: keep the test's own failure
            print(f"Screenshot failed: {error}")
    context.close()


class SentEmails:
    """The e-mails sent since the test started, read from the locmem outbox that the live server
    (same process) fills."""

    def __iter__(self):
        from django.core import mail

        return iter(list(mail.outbox))

    def __len__(self):
        from django.core import mail

        return len(mail.outbox)

    def to(self, address: str) -> list:
        return [message for message in self if address in message.to]

    def last_to(self, address: str):
        messages = self.to(address)
        assert messages, f"No e-mail sent to {address}; sent: {[m.to for m in self]}"
        return messages[-1]

    @staticmethod
    def links(message) -> list[str]:
        """The URLs in the plain-text body, in order (they lead to the live server)."""
        return re.findall(r"https?://[^\s<>\"']+", message.body)


@pytest.fixture
def sent_emails(mailoutbox) -> SentEmails:
    """`sent_emails.last_to("x@example.com")`, then `page.goto(sent_emails.links(message)[0])`."""
    return SentEmails()


@pytest.fixture
def autre_navigateur(request, browser, live_server):
    """Opens more browsers, each with its own cookies (a second person): `agent = autre_navigateur("agent")`.

    Same settings as `page`; each is closed at teardown and, when the test failed, its full-page
    screenshot is saved into test-results/ under the test's name and the browser's."""
    ouverts = []

    def ouvrir(nom: str):
        context = browser.new_context(locale="fr-FR", base_url=live_server.url)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context._nom_axe = nom  # names the tab in axe's report
        onglet = context.new_page()
        ouverts.append((nom, context, onglet))
        return onglet

    yield ouvrir
    report = request.node.stash.get(_reports, {}).get("call")
    for nom, context, onglet in ouverts:
        if report is not None and report.failed:
            RESULTS_DIR.mkdir(exist_ok=True)
            fichier = re.sub(r"[^\w.-]+", "_", f"{request.node.nodeid}-{nom}")
            try:
                onglet.screenshot(path=RESULTS_DIR / f"{fichier}.png", full_page=True)
            except Exception as error:  # keep the test's own failure
                print(f"Screenshot failed: {error}")
        context.close()
