"""factory_boy factories, one Trait per state."""

from django.utils import timezone

import factory
from stdnum import luhn

from accounts.groupes import synchroniser_groupes
from accounts.models import BureauDouane, Departement, Entreprise, Mandat, User
from rex import services
from rex.models import CadrePreferentiel, Chapitre, Contact, Demande, LigneMarchandise, PositionTarifaire
from rex.permissions import accorder_acces


def siret_valide(n: int) -> str:
    """A SIRET whose SIREN (9 digits) and whole number (14 digits) both pass the Luhn check."""
    siren = f"{n % 10**8:08d}"
    siren += luhn.calc_check_digit(siren)
    body = siren + f"{n // 10**8 % 10**4:04d}"
    return body + luhn.calc_check_digit(body)


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 95) + 1:02d}")
    nom = factory.Sequence(lambda n: f"Département {n}")
    pae_nom = "PAE de test"
    pae_courriel = factory.Sequence(lambda n: f"pae{n}@douane.example")


class BureauDouaneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BureauDouane

    nom = factory.Sequence(lambda n: f"Bureau de douane n° {n}")
    adresse = "1 quai de la Douane"
    code_postal = "75001"
    ville = "Paris"
    courriel = factory.Sequence(lambda n: f"bureau{n}@douane.example")


class EntrepriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entreprise

    eori = factory.Sequence(lambda n: "FR" + siret_valide(123450000 + n))
    raison_sociale = factory.Sequence(lambda n: f"Exportations Dupont {n}")
    adresse = "12 rue des Exportateurs"
    code_postal = "69002"
    ville = "Lyon"

    class Params:
        representant = factory.Trait(
            est_representant_en_douane=True,
            raison_sociale=factory.Sequence(lambda n: f"Transit Martin {n}"),
        )


class UserFactory(factory.django.DjangoModelFactory):
    """An activated operator account; traits for each step of guide §2–§3."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: "utilisateur" + "".join(chr(97 + int(d)) for d in str(n)))
    email = factory.LazyAttribute(lambda u: f"{u.username}@exemple.fr")
    first_name = "Claire"
    last_name = "Durand"
    is_active = True
    password = factory.django.Password("Motdepasse1!")

    @factory.post_generation
    def groupes(obj, create, extracted, **kwargs):
        if create:
            synchroniser_groupes(obj)

    class Params:
        certifie = factory.Trait(
            entreprise=factory.SubFactory(EntrepriseFactory),
            certifie_le=factory.LazyFunction(timezone.now),
        )
        habilite = factory.Trait(
            entreprise=factory.SubFactory(EntrepriseFactory),
            certifie_le=factory.LazyFunction(timezone.now),
            habilite_le=factory.LazyFunction(timezone.now),
        )
        representant = factory.Trait(
            entreprise=factory.SubFactory(EntrepriseFactory, representant=True),
            certifie_le=factory.LazyFunction(timezone.now),
            habilite_le=factory.LazyFunction(timezone.now),
        )
        agent = factory.Trait(service=factory.SubFactory(BureauDouaneFactory))


class MandatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandat

    representant = factory.SubFactory(EntrepriseFactory, representant=True)
    represente = factory.SubFactory(EntrepriseFactory)


class ChapitreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapitre
        django_get_or_create = ("code",)

    code = "22"
    libelle = "Boissons, liquides alcooliques et vinaigres"
    libelle_recherche = "boissons, liquides alcooliques et vinaigres"


class PositionTarifaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PositionTarifaire
        django_get_or_create = ("code",)

    code = "2204"
    chapitre = factory.SubFactory(ChapitreFactory, code=factory.LazyAttribute(lambda c: "22"))
    libelle = "Vins de raisins frais, y compris les vins enrichis en alcool"
    libelle_recherche = "vins de raisins frais, y compris les vins enrichis en alcool"


class CadrePreferentielFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CadrePreferentiel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cadre-{n}")
    libelle = factory.Sequence(lambda n: f"Accord de libre-échange n° {n}")


# Rubriques 2 and 7 of a request that passes validation (with a bureau and `remplir_lignes`).
RUBRIQUES_COMPLETES = {
    "telephone": "01 23 45 67 89",
    "courriel": "export@exemple.fr",
    "activite": "production",
    "engagement": True,
    "engagement_nom": "Claire Durand",
    "engagement_fonction": "Directrice export",
    "engagement_lieu": "Lyon",
    "consentement_publication": True,
}


def remplir_lignes(demande: Demande) -> None:
    """Rubriques 4, 5 and 6: one contact, one heading, one preferential framework."""
    Contact.objects.create(
        demande=demande,
        nom="Durand",
        prenom="Claire",
        fonction="Directrice export",
        telephone="01 23 45 67 89",
        courriel="claire.durand@exemple.fr",
    )
    position = PositionTarifaireFactory()
    LigneMarchandise.objects.create(demande=demande, code=position.code, description="Vins rouges")
    demande.cadres.add(CadrePreferentielFactory())


class DemandeFactory(factory.django.DjangoModelFactory):
    """A request; `complete=True` fills every rubrique so that it passes validation."""

    class Meta:
        model = Demande
        skip_postgeneration_save = True

    created_by = factory.SubFactory(UserFactory, habilite=True)
    titulaire = factory.LazyAttribute(lambda d: d.created_by.entreprise)

    class Params:
        complete = factory.Trait(bureau=factory.SubFactory(BureauDouaneFactory), **RUBRIQUES_COMPLETES)

    @factory.post_generation
    def lignes(obj, create, extracted, **kwargs):
        if not create:
            return
        accorder_acces(obj)
        if obj.bureau_id:
            remplir_lignes(obj)


def demande_representee(transitaire, represente, **kwargs) -> Demande:
    """A complete draft filed by a customs representative for a client under mandate."""
    return DemandeFactory(
        complete=True,
        created_by=transitaire,
        titulaire=represente,
        representant=transitaire.entreprise,
        representant_telephone="01 40 00 00 00",
        representant_courriel="transit@exemple.fr",
        **kwargs,
    )


def depot_papier(agent, titulaire: Entreprise | None = None, *, complete: bool = True) -> Demande:
    """A draft keyed in by `agent`'s service from an operator's paper form (guide §5, « À noter »),
    through services.creer_depot_papier; `complete` fills every rubrique as the paper form would."""
    demande = services.creer_depot_papier(by=agent, titulaire=titulaire or EntrepriseFactory())
    if complete:
        Demande.objects.filter(pk=demande.pk).update(**RUBRIQUES_COMPLETES)
        demande.refresh_from_db()
        remplir_lignes(demande)
    return demande


def soumise(demande: Demande) -> Demande:
    """`demande` submitted by its author (services.soumettre): « En étude », with its number."""
    return services.soumettre(demande=demande, by=demande.created_by)


def deposer(bureau: BureauDouane | None = None, **kwargs) -> Demande:
    """A complete request submitted to `bureau` (a new service when None): « En étude »."""
    return soumise(DemandeFactory(complete=True, **({"bureau": bureau} if bureau else {}), **kwargs))
