/* Behaviours shared by every page (loaded as a file: the Content-Security-Policy allows no inline script).
 * Each one does nothing on a page without its markup, and every page works without JavaScript. */
(function () {
  "use strict";

  // A second click while a form is being sent does nothing (the server refuses a double submission anyway).
  document.addEventListener("submit", function (event) {
    var bouton = event.target.querySelector("[data-un-seul-clic]");
    if (bouton) { setTimeout(function () { bouton.disabled = true; }, 0); }
  });

  // After an action, its result is what the page says first: the focus goes to the error summary of the
  // form sent, else to the messages (« Vous avez pris en charge la demande … »), so that a keyboard or a
  // screen reader user starts there. Unless the address names another place of the page (#fil,
  // #brouillons…): the browser goes there.
  document.addEventListener("DOMContentLoaded", function () {
    var resultat = document.querySelector("#erreurs, #resume-erreurs") || document.getElementById("messages");
    if (!resultat) return;
    var ancre = decodeURIComponent(window.location.hash.slice(1));
    if (ancre && ancre !== resultat.id && document.getElementById(ancre)) return;
    resultat.focus();
  });

  // An action form folded in an accordion (data-premier-champ): once unfolded, the focus goes to its
  // first field. The DSFR says « dsfr.disclose » before its animation makes the panel visible (a hidden
  // field cannot take the focus): the focus waits for it, a second at most.
  document.addEventListener("dsfr.disclose", function (event) {
    var panneau = event.target;
    if (!(panneau instanceof Element) || !panneau.matches("[data-premier-champ]")) return;
    var champ = panneau.querySelector("input:not([type=hidden]), select, textarea");
    if (!champ) return;
    var debut = Date.now();
    (function focaliser() {
      if (getComputedStyle(champ).visibility === "visible") {
        champ.focus();
      } else if (Date.now() - debut < 1000) {
        requestAnimationFrame(focaliser);
      }
    })();
  }, true);

  // The account menu folds on Escape at every width (the DSFR's navigation only does it on wide screens,
  // and only once its own bookkeeping has caught up), and the focus goes back to the account name.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var nav = event.target instanceof Element && event.target.closest(".rex-compte");
    if (!nav) return;
    var bouton = nav.querySelector("[aria-controls]");
    var menu = bouton && document.getElementById(bouton.getAttribute("aria-controls"));
    if (!menu || bouton.getAttribute("aria-expanded") !== "true") return;
    if (window.dsfr) {
      window.dsfr(menu).collapse.conceal();
    } else {
      bouton.setAttribute("aria-expanded", "false");
      menu.classList.remove("fr-collapse--expanded");
    }
    bouton.focus();
  });

  // Tabs: opens the tab named in the address (#brouillons …), e.g. after « Reprendre plus tard ».
  document.addEventListener("DOMContentLoaded", function () {
    var nom = window.location.hash.replace("#", "");
    if (!nom || !/^[\w-]+$/.test(nom)) return;
    var onglet = document.querySelector("[role='tab'][aria-controls='" + nom + "']");
    if (onglet) { setTimeout(function () { onglet.click(); }, 50); }
  });
})();
