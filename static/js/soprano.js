/* Behaviours shared by every page (loaded as a file: the Content-Security-Policy allows no inline script).
 * Each one does nothing on a page without its markup, and every page works without JavaScript. */
(function () {
  "use strict";

  // A second click while a form is being sent does nothing (the server refuses a double submission anyway).
  document.addEventListener("submit", function (event) {
    var bouton = event.target.querySelector("[data-un-seul-clic]");
    if (bouton) { setTimeout(function () { bouton.disabled = true; }, 0); }
  });

  // Tabs: opens the tab named in the address (#brouillons …), e.g. after « Reprendre plus tard ».
  document.addEventListener("DOMContentLoaded", function () {
    var nom = window.location.hash.replace("#", "");
    if (!nom || !/^[\w-]+$/.test(nom)) return;
    var onglet = document.querySelector("[role='tab'][aria-controls='" + nom + "']");
    if (onglet) { setTimeout(function () { onglet.click(); }, 50); }
  });
})();
