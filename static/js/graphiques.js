/* « Tableau de bord du service »: the charts of @gouvfr/dsfr-chart (static/vendor/dsfr-chart/).
 *
 * Its components draw inside a shadow root, which the page's stylesheets do not reach: without them the
 * legend loses its colour dots and the DSFR's spacing. Each chart gets the DSFR's stylesheet, the
 * chart's own and ours (static/css/graphiques.css: no tooltip, whose inline style the policy refuses) as
 * <link> elements: files of this site, which the Content-Security-Policy allows (style-src 'self'),
 * where an inline <style> would be refused. The data tables under the charts say the same without
 * JavaScript. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !window.customElements) return;
  var feuilles = [script.dataset.feuilleGraphique, script.dataset.feuilleRex];
  var dsfr = document.querySelector('link[rel="stylesheet"][href*="/dsfr/dist/dsfr"]');
  if (dsfr) feuilles.unshift(dsfr.href);

  function habiller(graphique) {
    var racine = graphique.shadowRoot;
    if (!racine || racine.querySelector("link[data-rex-graphique]")) return;
    feuilles.slice().reverse().forEach(function (adresse) {
      var lien = document.createElement("link");
      lien.rel = "stylesheet";
      lien.href = adresse;
      lien.setAttribute("data-rex-graphique", "");
      racine.prepend(lien);
    });
  }

  customElements.whenDefined("bar-chart").then(function () {
    document.querySelectorAll("bar-chart").forEach(habiller);
  });
})();
