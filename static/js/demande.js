/* The request form: rows (trash icon), focus after « Ajouter une ligne + » (htmx), and the
 * search-as-you-type over the HS nomenclature (an ARIA combobox). Everything works without it. */
(function () {
  "use strict";
  var form = document.getElementById("formulaire-demande");
  if (!form) return;
  var annonces = document.getElementById("annonces");
  var url = form.getAttribute("data-nomenclature-url");

  // The live region: emptied first, so that the same message twice is said twice.
  function annoncer(texte) {
    if (!annonces) return;
    annonces.textContent = "";
    setTimeout(function () { annonces.textContent = texte; }, 100);
  }

  function lignesVisibles(conteneur) {
    return Array.prototype.filter.call(conteneur.querySelectorAll("[data-ligne]"), function (ligne) {
      return !ligne.hidden;
    });
  }

  function premierChamp(ligne) {
    return ligne.querySelector("input:not([type=hidden]):not([name$='-DELETE']), select, textarea");
  }

  // « Contact n°2 », « Supprimer la ligne 2 »: the rows shown are numbered 1, 2, 3… as they will be
  // once saved, whatever was deleted or added meanwhile.
  function renumeroter(conteneur) {
    lignesVisibles(conteneur).forEach(function (ligne, i) {
      var numero = String(i + 1);
      ligne.setAttribute("aria-label", ligne.getAttribute("aria-label").replace(/\d+$/, numero));
      var bouton = ligne.querySelector("[data-supprimer-ligne]");
      if (bouton) {
        bouton.textContent = bouton.textContent.replace(/\d+\s*$/, numero);
        bouton.title = bouton.textContent.trim();
      }
    });
  }

  // A row marked deleted and shown again with the form's errors is hidden: the others are numbered 1, 2…
  Array.prototype.forEach.call(form.querySelectorAll("#lignes-contacts, #lignes-marchandises"), renumeroter);

  // Trash icon: the row is marked deleted (its DELETE box, saved with the form) and taken off the
  // page; the focus goes to the next row's first field, else the previous row's, else « Ajouter une
  // ligne + »; the live region says which row went. Without JavaScript the button saves the draft.
  form.addEventListener("click", function (event) {
    var bouton = event.target.closest("[data-supprimer-ligne]");
    if (!bouton) return;
    event.preventDefault();
    var ligne = bouton.closest("[data-ligne]");
    var conteneur = ligne.parentElement;
    var nom = ligne.getAttribute("aria-label");
    var visibles = lignesVisibles(conteneur);
    var position = visibles.indexOf(ligne);
    var voisine = visibles[position + 1] || visibles[position - 1];
    var suppression = ligne.querySelector("input[name$='-DELETE']");
    if (suppression) suppression.checked = true;
    ligne.hidden = true;
    renumeroter(conteneur);
    var cible = voisine && premierChamp(voisine);
    if (!cible) {
      var rubrique = ligne.closest("fieldset");
      cible = rubrique && rubrique.querySelector("[data-ajouter-ligne]");
    }
    if (cible) cible.focus();
    var reste = lignesVisibles(conteneur).length;
    annoncer("Ligne « " + nom + " » supprimée. " + (reste ? reste + " ligne" + (reste > 1 ? "s" : "") +
      " restante" + (reste > 1 ? "s" : "") + "." : "Aucune ligne restante."));
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var lignes = lignesVisibles(event.detail.target);
    var nouvelle = lignes[lignes.length - 1];
    if (nouvelle) {
      renumeroter(event.detail.target);
      var champ = premierChamp(nouvelle);
      if (champ) champ.focus();
      annoncer("Ligne « " + nouvelle.getAttribute("aria-label") + " » ajoutée.");
    }
  });

  // Enter in a field submits nothing: the form is long and each way out has its own button (without
  // JavaScript, Enter presses the hidden default button, which saves and comes back to the form).
  // In the HS combobox, Enter picks the highlighted position (below); a textarea takes a new line.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("input:not([type=submit]):not([type=button])" +
        ":not([type=reset]):not([type=image]):not([type=file])")) {
      event.preventDefault();
    }
  });

  // Search-as-you-type, from two characters.
  var compteur = 0;
  var minuterie = null;

  function liste(input) {
    var id = input.getAttribute("aria-controls");
    return id ? document.getElementById(id) : null;
  }

  function aucunResultat(input) {
    var ul = liste(input);
    return ul ? document.getElementById(ul.id + "-vide") : null;
  }

  function fermer(input) {
    var ul = liste(input);
    if (ul) ul.hidden = true;
    var vide = aucunResultat(input);
    if (vide) vide.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function preparer(input) {
    if (input.getAttribute("role") === "combobox") return;
    compteur += 1;
    var ul = document.createElement("ul");
    ul.id = "suggestions-" + compteur;
    ul.className = "rex-suggestions";
    ul.setAttribute("role", "listbox");
    ul.setAttribute("aria-label", "Positions tarifaires proposées");
    ul.hidden = true;
    input.insertAdjacentElement("afterend", ul);
    // Nothing found: said visibly under the field (and to screen readers by the live region).
    var vide = document.createElement("p");
    vide.id = ul.id + "-vide";
    vide.className = "fr-hint-text fr-mt-1v rex-aucun-resultat";
    vide.hidden = true;
    ul.insertAdjacentElement("afterend", vide);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", ul.id);
    ul.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { event.preventDefault(); choisir(input, option); }
    });
  }

  function choisir(input, option) {
    input.value = option.getAttribute("data-code");
    // The hint under the field, not an option of the listbox (options carry data-libelle too).
    var libelle = input.closest(".rex-nomenclature").querySelector("p[data-libelle]");
    if (libelle) libelle.textContent = option.getAttribute("data-libelle");
    fermer(input);
    annoncer("Position " + input.value + " choisie.");
  }

  function chercher(input) {
    var q = input.value.trim();
    var ul = liste(input);
    if (q.length < 2) { fermer(input); return; }
    fetch(url + "?format=json&q=" + encodeURIComponent(q), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (r) { return r.json(); }).then(function (data) {
      var items = Array.isArray(data) ? data : (data.results || []);
      if (input.value.trim() !== q) return;
      ul.innerHTML = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = ul.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-code", item.code);
        li.setAttribute("data-libelle", item.libelle);
        li.className = "fr-p-1w";
        li.textContent = item.code + " – " + item.libelle;
        ul.appendChild(li);
      });
      ul.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      var vide = aucunResultat(input);
      vide.textContent = "Aucun résultat pour « " + q + " » : vérifiez l'orthographe, ou saisissez le code " +
        "du chapitre (2 chiffres) ou de la position (4 chiffres).";
      vide.hidden = items.length !== 0;
      annoncer(items.length ? items.length + " positions proposées." : "Aucun résultat.");
    }).catch(function () { fermer(input); });
  }

  form.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-nomenclature]")) preparer(event.target);
  });
  form.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches("[data-nomenclature]")) return;
    preparer(input);
    // The official label under the field named the position picked: typing replaces it.
    var libelle = input.closest(".rex-nomenclature").querySelector("p[data-libelle]");
    if (libelle) libelle.textContent = "";
    clearTimeout(minuterie);
    minuterie = setTimeout(function () { chercher(input); }, 200);
  });
  form.addEventListener("focusout", function (event) {
    if (event.target.matches("[data-nomenclature]")) {
      setTimeout(function () { fermer(event.target); }, 150);
    }
  });
  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches("[data-nomenclature]")) return;
    var ul = liste(input);
    if (!ul || ul.hidden) return;
    var options = Array.prototype.slice.call(ul.querySelectorAll("[role=option]"));
    var actif = ul.querySelector("[aria-selected=true]");
    var i = options.indexOf(actif);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      i = event.key === "ArrowDown" ? Math.min(i + 1, options.length - 1) : Math.max(i - 1, 0);
      options.forEach(function (o) { o.setAttribute("aria-selected", "false"); o.classList.remove("fr-background-alt--blue-france"); });
      options[i].setAttribute("aria-selected", "true");
      options[i].classList.add("fr-background-alt--blue-france");
      options[i].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", options[i].id);
    } else if (event.key === "Enter" && actif) {
      event.preventDefault();
      choisir(input, actif);
    } else if (event.key === "Escape") {
      fermer(input);
    }
  });
})();
