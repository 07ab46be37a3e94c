"""The request form over the API: a JSON body of the rubriques turned into the form's POST data, checked by
the SAME forms as the portal's page (rex.validation.construire), so that every French message is the form's.

A field absent from the body keeps the value the form would show (the stored one, or the new draft's
pre-filled one); `contacts` or `marchandises` given replace every row of the rubrique: the stored rows are
rewritten in place, those left over deleted, new ones added (the rubrique never holds more forms than the
larger of the two counts, so that the row limit is the page's). The errors come back keyed by JSON path:
"telephone", "contacts[0].courriel", "marchandises[1].code", "non_field_errors".
"""

from django.utils.datastructures import MultiValueDict

from rex import validation
from rex.models import Demande
from rex.regles import CHAMPS_CONTACT, CHAMPS_MARCHANDISE

RUBRIQUES_LIGNES = {"contacts": CHAMPS_CONTACT, "marchandises": CHAMPS_MARCHANDISE}
NON_MODIFIABLE = "Ce champ ne peut pas être renseigné pour cette demande."
NON_MODIFIABLE_MODIFICATION = (
    "Cette donnée ne peut pas être modifiée par une demande de modification : seuls le courriel "
    "(rubrique 2), les contacts (rubrique 4), les marchandises (rubrique 5) et les cadres préférentiels "
    "(rubrique 6) le peuvent (guide, point 7.2)."
)


def _valeur(valeur) -> list[str]:
    """A JSON value as the form's posted strings (a checkbox is « on » or absent; null is empty)."""
    if valeur is None:
        return [""]
    if isinstance(valeur, bool):
        return ["on"] if valeur else []
    if isinstance(valeur, list):
        return [str(v) for v in valeur]
    return [str(valeur)]


def _form_en_donnees(form, data: MultiValueDict) -> None:
    for bf in form:
        value = bf.value()
        if isinstance(value, list | tuple):
            data.setlist(bf.html_name, [str(v) for v in value])
        elif isinstance(value, bool):
            if value:
                data[bf.html_name] = "on"
        elif value is not None:
            data[bf.html_name] = str(value)


def donnees(demande: Demande, corps: dict, *, remplacer: bool = False) -> tuple[MultiValueDict, dict]:
    """The form's POST data for `corps` (validated JSON), and the errors of the fields this request's form
    does not hold (a representative's rubrique 3 for an operator filing for itself, a fixed rubrique of a
    modification …). `remplacer` (PUT): an absent field is emptied instead of kept."""
    form_class = validation.classe_formulaire(demande)
    actuel = validation.construire(demande, form_class=form_class)
    data = MultiValueDict()
    erreurs: dict[str, list[str]] = {}
    if not remplacer:
        _form_en_donnees(actuel.form, data)
    for nom, valeur in corps.items():
        if nom in RUBRIQUES_LIGNES:
            continue
        if nom not in actuel.form.fields:
            erreurs[nom] = [NON_MODIFIABLE_MODIFICATION if form_class else NON_MODIFIABLE]
            continue
        champ = actuel.form[nom]
        if nom == "consentement_publication" and valeur is not None:
            valeur = "oui" if valeur else "non"
        data.setlist(champ.html_name, _valeur(valeur))
    for rubrique, champs in RUBRIQUES_LIGNES.items():
        formset = getattr(actuel, rubrique)
        stockees = list(formset.forms[: formset.initial_form_count()])
        if rubrique in corps:
            lignes = corps[rubrique]
        elif remplacer:
            lignes = []
        else:
            lignes = None
        total = len(stockees) if lignes is None else max(len(stockees), len(lignes))
        data[f"{rubrique}-TOTAL_FORMS"] = str(total)
        data[f"{rubrique}-INITIAL_FORMS"] = str(len(stockees))
        data[f"{rubrique}-MIN_NUM_FORMS"] = "0"
        data[f"{rubrique}-MAX_NUM_FORMS"] = str(formset.max_num)
        for rang in range(total):
            prefixe = f"{rubrique}-{rang}"
            if rang < len(stockees):
                data[f"{prefixe}-id"] = str(stockees[rang].instance.pk)
            if lignes is None:
                _form_en_donnees(stockees[rang], data)
            elif rang < len(lignes):
                for champ in champs:
                    data[f"{prefixe}-{champ}"] = str(lignes[rang].get(champ) or "")
            else:
                data[f"{prefixe}-DELETE"] = "on"
    return data, erreurs


def construire(demande: Demande, corps: dict, *, remplacer: bool = False):
    """The request's form bound to `corps` (lenient, as « Reprendre plus tard »), and the errors of the
    fields it does not hold."""
    data, erreurs = donnees(demande, corps, remplacer=remplacer)
    formulaire = validation.construire(demande, data=data, form_class=validation.classe_formulaire(demande))
    return formulaire, erreurs


def erreurs(formulaire: validation.Formulaire) -> dict[str, list[str]]:
    """The form's errors keyed by JSON path, in the order of the page."""
    resultat: dict[str, list[str]] = {}

    def ajouter(chemin: str, messages) -> None:
        resultat.setdefault(chemin, []).extend(str(m) for m in messages)

    for nom, messages in formulaire.form.errors.items():
        ajouter("non_field_errors" if nom == "__all__" else nom, messages)
    for rubrique in RUBRIQUES_LIGNES:
        formset = getattr(formulaire, rubrique)
        if formset.non_form_errors():
            ajouter(rubrique, formset.non_form_errors())
        for rang, form in enumerate(formset.forms):
            if formset.can_delete and formset._should_delete_form(form):
                continue
            for nom, messages in form.errors.items():
                chemin = f"{rubrique}[{rang}]" if nom in ("__all__", "id") else f"{rubrique}[{rang}].{nom}"
                ajouter(chemin, messages)
    return resultat


def erreurs_serializer(detail, prefixe: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail keyed by JSON path ("contacts[0].courriel")."""
    if isinstance(detail, dict):
        resultat = {}
        for cle, valeur in detail.items():
            if isinstance(cle, int) or str(cle).isdigit():
                # A list's errors: DRF keys them by the row's index.
                chemin = f"{prefixe}[{cle}]"
            else:
                chemin = str(cle) if not prefixe else f"{prefixe}.{cle}"
            if cle == "non_field_errors" and prefixe:
                chemin = prefixe
            resultat.update(erreurs_serializer(valeur, chemin))
        return resultat
    if isinstance(detail, list) and any(isinstance(e, dict | list) for e in detail):
        resultat = {}
        for rang, valeur in enumerate(detail):
            if valeur:
                resultat.update(erreurs_serializer(valeur, f"{prefixe}[{rang}]"))
        return resultat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefixe or "non_field_errors": [str(m) for m in messages]}
