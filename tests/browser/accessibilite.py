"""axe-core (WCAG 2.1 A and AA) on every document the browser tests load.

Each tab a browser test opens (`page`, `autre_navigateur`, any `context.new_page()`) is watched by a
`Sentinelle`: its event handlers only take notes (a document loaded, a navigation is in flight), since
Playwright's sync API must not be called from inside a handler. The checks run in the test's own flow:

* before every action on the tab (goto, reload, click, fill, press, keyboard, mouse…), the document
  loaded since the last action is checked first, once the navigation in flight has loaded: so the pages
  reached by a link, a form submission or a redirect are checked, not only those opened by `goto`;
* before a tab or a browser closes, and at the end of the test, its last document is checked;
* `verifier(page)` checks the current document again, after the page changed without loading
  (an accordion opened, a row added by htmx).

Each document is checked once (a few hundred milliseconds). A document that loaded and was left before
any check could run (an action sent while its navigation had not started yet) is reported as not
checked: the coverage is verified, not assumed. The test fails at its end with every violation found:
the page, the rule, its impact, the target selectors and the help text.

Not checked: Django's admin (PAGES_EXCLUES: not our markup) and the tabs opened with JavaScript disabled
(axe runs in the page). tests/browser/test_accessibilite.py checks this wiring itself.
"""

import functools
import re
import time
import weakref
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
OPTIONS = {
    "runOnly": {"type": "tag", "values": TAGS},
    "resultTypes": ["violations"],
    # axe may scroll to measure colours: the page is left where the test put it.
    "restoreScroll": True,
}
# Pages we do not own, excluded as pages (never a rule): Django's admin, the PAE's back-office, is
# Django's own markup and stylesheet; the API's documentation page is Swagger UI's (drf-spectacular).
PAGES_EXCLUES = (re.compile(r"^/admin/"), re.compile(r"^/api/v1/docs/"))
ATTENTE_NAVIGATION_S = 10

_axe = Axe()
_sentinelles: "weakref.WeakKeyDictionary[object, Sentinelle]" = weakref.WeakKeyDictionary()
_session = {"documents": 0, "chemins": set(), "violations": {}, "sans_js": 0}


@dataclass
class Constat:
    """The violations of one document (empty when it passed)."""

    onglet: str
    url: str
    moment: str
    violations: list = field(default_factory=list)


class Registre:
    """The tabs opened by one test, and what axe found in them."""

    def __init__(self):
        self.sentinelles: list[Sentinelle] = []
        self.actif = True

    def suivre(self, page, nom: str, *, sans_js: bool = False) -> "Sentinelle":
        sentinelle = Sentinelle(page, nom, self, sans_js=sans_js)
        self.sentinelles.append(sentinelle)
        for cle in (page, page.keyboard, page.mouse):
            _sentinelles[cle] = sentinelle
        return sentinelle

    def terminer(self) -> None:
        """The last document of every tab still open is checked; nothing is checked afterwards."""
        try:
            for sentinelle in self.sentinelles:
                if not sentinelle.page.is_closed():
                    sentinelle.point_de_controle("at the end of the test")
        finally:
            self.actif = False

    def constats(self) -> list[Constat]:
        return [c for sentinelle in self.sentinelles for c in sentinelle.constats if c.violations]

    def non_verifies(self, *, interrompu: bool = False) -> list[tuple[str, str]]:
        """The documents loaded and left unchecked; when the test was `interrompu` (it failed), the last
        document of each tab was not left: it is not counted."""
        return [
            (sentinelle.nom, url)
            for sentinelle in self.sentinelles
            for url in sentinelle.non_verifies(sauf_dernier=interrompu)
        ]

    def documents_verifies(self) -> list[str]:
        """The URLs axe checked, in order (with or without violations)."""
        return [constat.url for sentinelle in self.sentinelles for constat in sentinelle.constats]

    def comptabiliser(self) -> None:
        """Adds this test's checks to the session's summary (printed at the end of the run)."""
        for sentinelle in self.sentinelles:
            _session["sans_js"] += sentinelle.sans_js_vus
            for constat in sentinelle.constats:
                _session["documents"] += 1
                _session["chemins"].add(re.sub(r"/\d+/", "/<n>/", urlsplit(constat.url).path))
                for violation in constat.violations:
                    regle = violation["id"]
                    _session["violations"][regle] = _session["violations"].get(regle, 0) + 1

    def ecarter(self) -> None:
        """Forgets what was found so far: for the tests of this module, whose violations are on purpose."""
        for sentinelle in self.sentinelles:
            sentinelle.constats.clear()
            sentinelle.verifies.update(range(len(sentinelle.charges)))

    def rapport(self, *, interrompu: bool = False) -> str:
        """Empty when every document was checked and passed."""
        lignes = []
        constats = self.constats()
        if constats:
            total = sum(len(constat.violations) for constat in constats)
            tags = ", ".join(TAGS)
            lignes.append(f"axe-core ({tags}): {total} violation(s) in {len(constats)} document(s)")
            for constat in constats:
                lignes.append(f"\n● [{constat.onglet}] {constat.url} (checked {constat.moment})")
                for violation in constat.violations:
                    lignes.append(f"  - {violation['id']} ({violation['impact']}): {violation['help']}")
                    for noeud in violation["nodes"]:
                        # A target inside a shadow root or a frame is a list of selectors.
                        cible = [" >>> ".join(c) if isinstance(c, list) else c for c in noeud["target"]]
                        lignes.append(f"      target: {' '.join(cible)}")
                    lignes.append(f"      {violation['helpUrl']}")
        non_verifies = self.non_verifies(interrompu=interrompu)
        if non_verifies:
            lignes.append(
                "\nDocuments loaded then left before axe could check them (wait for the page, e.g. with "
                "expect(), before acting on the next one):"
            )
            lignes += [f"  - [{onglet}] {url}" for onglet, url in non_verifies]
        return "\n".join(lignes)


class Sentinelle:
    """One tab: the documents it loaded, the navigation in flight, the checks done."""

    def __init__(self, page, nom: str, registre: Registre, *, sans_js: bool = False):
        self.page = page
        self.nom = nom
        self.registre = registre
        # axe runs in the page: a tab without JavaScript cannot be checked (its pages are, in the tabs
        # with JavaScript of the other tests).
        self.sans_js = sans_js
        self.sans_js_vus = 0
        self.charges: list[str] = []  # the URL of each document loaded, in order
        self.verifies: set[int] = set()  # indexes in `charges`
        self.en_vol: dict = {}  # the main frame's navigation requests not loaded yet → committed?
        self.constats: list[Constat] = []
        self.occupe = False
        page.on("request", self._requete)
        page.on("response", self._reponse)
        page.on("requestfailed", self._echec)
        page.on("framenavigated", self._navigue)
        page.on("load", self._charge)
        page.on("download", self._telechargement)

    # Event handlers: notes only, never a call to Playwright ------------------------------------
    def _principale(self, requete) -> bool:
        try:
            return requete.is_navigation_request() and requete.frame is self.page.main_frame
        except Exception:  # a service worker's request has no frame
            return False

    def _requete(self, requete) -> None:
        if self._principale(requete):
            if requete.redirected_from is not None:
                self.en_vol.pop(requete.redirected_from, None)
            self.en_vol[requete] = False

    def _reponse(self, reponse) -> None:
        # A response that opens no document (a download, « 204 No Content ») never loads.
        requete = reponse.request
        if requete in self.en_vol:
            disposition = reponse.headers.get("content-disposition", "")
            if reponse.status in (204, 205) or disposition.startswith("attachment"):
                self.en_vol.pop(requete, None)

    def _echec(self, requete) -> None:
        self.en_vol.pop(requete, None)

    def _telechargement(self, telechargement) -> None:
        # A file the browser saves instead of showing it: no document will load.
        self.en_vol = {requete: engagee for requete, engagee in self.en_vol.items() if engagee}

    def _navigue(self, frame) -> None:
        if frame is self.page.main_frame:
            for requete in self.en_vol:
                self.en_vol[requete] = True

    def _charge(self, page) -> None:
        self.charges.append(page.url)
        self.en_vol = {requete: engagee for requete, engagee in self.en_vol.items() if not engagee}

    # Checks, in the test's flow ----------------------------------------------------------------
    def point_de_controle(self, moment: str) -> bool:
        """Before an action: waits for the navigation in flight, then checks the document loaded
        since the last check, if any (True if it did)."""
        if self.occupe or not self.registre.actif or self.page.is_closed():
            return False
        self.occupe = True
        try:
            limite = time.monotonic() + ATTENTE_NAVIGATION_S
            while self.en_vol and time.monotonic() < limite:
                self.page.wait_for_timeout(20)  # lets Playwright deliver the events
            self.en_vol.clear()  # what has not loaded by now never will (the next checkpoint won't wait)
            dernier = len(self.charges) - 1
            if dernier < 0 or dernier in self.verifies:
                return False
            self.verifies.add(dernier)
            self._analyser(self.charges[dernier], moment)
            return True
        finally:
            self.occupe = False

    def verifier(self, moment: str) -> None:
        """Checks the current document now, even if it was checked before (it changed since)."""
        if self.point_de_controle(moment) or self.page.is_closed() or not self.charges:
            return
        self.occupe = True
        try:
            self._analyser(self.page.url, moment)
        finally:
            self.occupe = False

    def non_verifies(self, *, sauf_dernier: bool = False) -> list[str]:
        fin = len(self.charges) - 1 if sauf_dernier else len(self.charges)
        return [url for index, url in enumerate(self.charges[:fin]) if index not in self.verifies]

    def _analyser(self, url: str, moment: str) -> None:
        parties = urlsplit(url)
        if parties.scheme not in ("http", "https") or any(m.match(parties.path) for m in PAGES_EXCLUES):
            return
        if self.sans_js:
            self.sans_js_vus += 1
            return
        if self.page.evaluate("document.contentType") != "text/html":
            return
        resultats = _axe.run(self.page, options=OPTIONS).response
        self.constats.append(Constat(self.nom, url, moment, resultats["violations"]))


def verifier(page, moment: str = "on demand") -> None:
    """Checks `page`'s current document now (after it changed without loading); the test fails at its
    end if axe finds a violation."""
    sentinelle = _sentinelles.get(page)
    assert sentinelle is not None, "this page is not watched by axe (opened outside a browser test?)"
    sentinelle.verifier(moment)


def bilan_session() -> str:
    if not _session["documents"]:
        return ""
    violations = ", ".join(f"{regle} ×{nombre}" for regle, nombre in sorted(_session["violations"].items()))
    sans_js = ""
    if _session["sans_js"]:
        sans_js = f"; {_session['sans_js']} documents in tabs without JavaScript not checked"
    return (
        f"axe-core: {_session['documents']} documents checked ({len(_session['chemins'])} distinct paths); "
        f"violations: {violations or 'none'}{sans_js}"
    )


# Wiring: every action on a watched tab is a checkpoint ------------------------------------------
ACTIONS = {
    "Page": (
        "goto reload go_back go_forward click dblclick tap fill focus hover press type check uncheck "
        "set_checked select_option set_input_files dispatch_event drag_and_drop"
    ),
    "Locator": (
        "click dblclick tap fill clear focus blur hover press press_sequentially type check uncheck "
        "set_checked select_option set_input_files dispatch_event drag_to select_text"
    ),
    "Keyboard": "press type insert_text down up",
    "Mouse": "click dblclick down up move wheel",
}


def _sentinelle_de(objet):
    cle = objet.page if type(objet).__name__ == "Locator" else objet
    return _sentinelles.get(cle)


def _avant(methode):
    @functools.wraps(methode)
    def action(objet, *args, **kwargs):
        sentinelle = _sentinelle_de(objet)
        if sentinelle is not None:
            sentinelle.point_de_controle(f"before {type(objet).__name__}.{methode.__name__}")
        return methode(objet, *args, **kwargs)

    return action


def _fermeture(methode, pages):
    @functools.wraps(methode)
    def fermer(objet, *args, **kwargs):
        for page in pages(objet):
            sentinelle = _sentinelles.get(page)
            if sentinelle is not None and not page.is_closed():
                sentinelle.point_de_controle("before closing")
        return methode(objet, *args, **kwargs)

    return fermer


def installer(monkeypatch, registre_courant) -> None:
    """Patches Playwright's sync classes for the session: every new tab is watched by the current
    test's `Registre` (`registre_courant()`), every action on it is a checkpoint."""
    from playwright.sync_api import _generated as api

    for classe, noms in ACTIONS.items():
        for nom in noms.split():
            monkeypatch.setattr(getattr(api, classe), nom, _avant(getattr(getattr(api, classe), nom)))

    def suivie(new_page):
        @functools.wraps(new_page)
        def ouvrir(objet, *args, **kwargs):
            page = new_page(objet, *args, **kwargs)
            registre = registre_courant()
            if registre is not None and registre.actif:
                nom = getattr(objet, "_nom_axe", f"tab {len(registre.sentinelles) + 1}")
                sans_js = getattr(objet, "_axe_sans_js", False) or kwargs.get("java_script_enabled") is False
                registre.suivre(page, nom, sans_js=sans_js)
            return page

        return ouvrir

    def contexte(new_context):
        @functools.wraps(new_context)
        def ouvrir(objet, *args, **kwargs):
            context = new_context(objet, *args, **kwargs)
            context._axe_sans_js = kwargs.get("java_script_enabled") is False
            return context

        return ouvrir

    monkeypatch.setattr(api.Browser, "new_context", contexte(api.Browser.new_context))
    monkeypatch.setattr(api.BrowserContext, "new_page", suivie(api.BrowserContext.new_page))
    monkeypatch.setattr(api.Browser, "new_page", suivie(api.Browser.new_page))
    monkeypatch.setattr(api.Page, "close", _fermeture(api.Page.close, lambda page: [page]))
    monkeypatch.setattr(
        api.BrowserContext, "close", _fermeture(api.BrowserContext.close, lambda context: context.pages)
    )
