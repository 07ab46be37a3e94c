"""Several reverse foreign keys prefetched in one query: the rows of a request's page in one round trip.

`prefetch_related_objects(demandes, "contacts", "marchandises", …)` reads each relation with a query of
its own; `en_une_requete` reads them all with one UNION ALL, each relation's columns laid out on typed
slots (its texts on the text slots, its integers on the integer ones…; a typed NULL where it has fewer),
then fills the same caches as Django's prefetch: `demande.contacts.all()` is then a list in memory, in
the related model's own order, and each row knows its parent without a query.

The fields read are the concrete fields of a kind that every database compares alike in a UNION (text,
integer, date and time); any other (a JSON field) is left deferred: reading it on a row costs a query.
"""

from collections import defaultdict

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Cast

# A column type shared by fields of different models: the UNION's branches must agree on it.
GENRES = {
    "texte": (models.TextField(), {"CharField", "TextField", "SlugField", "EmailField", "FileField"}),
    "entier": (
        models.BigIntegerField(),
        {
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "PositiveBigIntegerField",
        },
    ),
    "instant": (models.DateTimeField(), {"DateTimeField"}),
    "jour": (models.DateField(), {"DateField"}),
    "booleen": (models.BooleanField(), {"BooleanField"}),
}


def _genre(champ: models.Field) -> str | None:
    type_interne = (champ.target_field if champ.is_relation else champ).get_internal_type()
    return next((genre for genre, (_, types) in GENRES.items() if type_interne in types), None)


def _champs_lus(modele) -> list[tuple[models.Field, str]]:
    return [(champ, genre) for champ in modele._meta.concrete_fields if (genre := _genre(champ)) is not None]


def _trier(lignes: list, modele) -> list:
    for cle in reversed(modele._meta.ordering or ["pk"]):
        nom = cle.lstrip("-")
        lignes.sort(key=lambda ligne, nom=nom: getattr(ligne, nom), reverse=cle.startswith("-"))
    return lignes


def en_une_requete(parents_par_relation: dict[str, list[models.Model]]) -> None:
    """Prefetches each reverse foreign key named (the related_name) for its parents, all in one query.

    {"contacts": [demande, precedente], "documents": [demande]}: the parents are instances of one model.
    """
    relations = {}
    for nom, parents in parents_par_relation.items():
        if parents:
            relation = type(parents[0])._meta.get_field(nom)
            if not relation.one_to_many:
                raise ValueError(f"{nom}: only reverse foreign keys are prefetched here")
            relations[nom] = (relation, parents)
    if not relations:
        return
    lus = {nom: _champs_lus(relation.related_model) for nom, (relation, _) in relations.items()}
    places = dict.fromkeys(GENRES, 0)
    for champs in lus.values():
        for genre in GENRES:
            places[genre] = max(places[genre], sum(1 for _, g in champs if g == genre))
    colonnes = [(genre, rang) for genre in GENRES for rang in range(places[genre])]

    branches = []
    for nom, (relation, parents) in relations.items():
        par_genre = defaultdict(list)
        for champ, genre in lus[nom]:
            par_genre[genre].append(champ)
        valeurs = {"relation": Value(nom, output_field=models.TextField())}
        for genre, rang in colonnes:
            champs = par_genre[genre]
            # A NULL is cast: PostgreSQL types the UNION's columns two branches at a time.
            valeurs[f"{genre}_{rang}"] = (
                F(champs[rang].attname) if rang < len(champs) else Cast(Value(None), GENRES[genre][0])
            )
        cle = relation.field.attname
        branches.append(
            relation.related_model._default_manager.filter(**{f"{cle}__in": [p.pk for p in parents]})
            .order_by()
            .values(**valeurs)
        )
    requete = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]

    lignes = defaultdict(list)
    for ligne in requete:
        nom = ligne["relation"]
        relation, _ = relations[nom]
        modele = relation.related_model
        rangs = defaultdict(int)
        noms, valeurs = [], []
        for champ, genre in lus[nom]:
            noms.append(champ.attname)
            valeurs.append(_valeur(champ, ligne[f"{genre}_{rangs[genre]}"]))
            rangs[genre] += 1
        lignes[nom].append(modele.from_db(requete.db, noms, valeurs))

    for nom, (relation, parents) in relations.items():
        cle = relation.field.attname
        par_parent = defaultdict(list)
        for enfant in lignes[nom]:
            par_parent[getattr(enfant, cle)].append(enfant)
        for parent in parents:
            enfants = _trier(par_parent[parent.pk], relation.related_model)
            for enfant in enfants:
                relation.field.set_cached_value(enfant, parent)
            # What prefetch_related_objects leaves: the manager's queryset, already evaluated.
            queryset = getattr(parent, nom).get_queryset()
            queryset._result_cache = enfants
            queryset._prefetch_done = True
            if not hasattr(parent, "_prefetched_objects_cache"):
                parent._prefetched_objects_cache = {}
            parent._prefetched_objects_cache[relation.cache_name] = queryset


def _valeur(champ: models.Field, valeur):
    """The value as the field's own column gives it (a cast column may widen it)."""
    if valeur is None:
        return None
    if champ.get_internal_type() == "BooleanField":
        return bool(valeur)
    return valeur
