"""Every write on accounts: sign-up and activation, certification, habilitation.

E-mails go through the project's outbox, reached by a signal (accounts.signals; accounts never imports
rex): written in the transaction, sent after commit; a mail server or broker outage never undoes the write
nor loses the mail. Certification and habilitation are recorded in the admin history (LogEntry) with the
acting user: the PAE sees who did what on the account's « Historique » page.
"""

import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, signals, tokens
from accounts.models import CalendrierEcheances, DemandeHabilitation, Departement, User

logger = logging.getLogger(__name__)


class AccountsError(Exception):
    """A refused write; str(error) is a French message that can be shown as is."""


class LienActivationInvalide(AccountsError):
    pass


class LienActivationExpire(AccountsError):
    pass


class CompteDejaActive(AccountsError):
    pass


class CertificationImpossible(AccountsError):
    pass


class HabilitationImpossible(AccountsError):
    pass


# E-mails -------------------------------------------------------------------------------------


def url_absolue(path: str) -> str:
    """Absolute link for e-mails: settings.SITE_URL, since mails are sent outside any request."""
    return settings.SITE_URL.rstrip("/") + path


def _programmer_courriel(*, modele: str, destinataire: str, contexte: dict) -> None:
    """emails/accounts/<modele>_*: written to the outbox now, sent after commit (accounts.signals)."""
    recu = signals.courriel_a_envoyer.send(
        sender=User, destinataire=destinataire, modele=f"accounts/{modele}", contexte=contexte
    )
    if not recu:
        logger.error("Courriel « %s » non programmé : aucune messagerie ne reçoit les courriels", modele)


def _journaliser(*, user: User, by: User, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[user],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


# Sign-up and activation (guide §3.2.1) -----------------------------------------------------------


@transaction.atomic
def inscrire(*, username: str, email: str, first_name: str, last_name: str, password: str) -> User:
    """Create an inactive account and send its activation link.

    The password has been validated by the form (AUTH_PASSWORD_VALIDATORS).
    Side effects: activation e-mail, after commit.
    """
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_active=False,
    )
    user.set_password(password)
    user.save()
    _programmer_lien_activation(user)
    return user


def _programmer_lien_activation(user: User) -> None:
    token = tokens.creer_jeton_activation(user_id=user.pk)
    _programmer_courriel(
        modele="activation",
        destinataire=user.email,
        contexte={
            "prenom": user.first_name,
            "identifiant": user.username,
            "lien": url_absolue(reverse("accounts:activate", kwargs={"token": token})),
            "jours": settings.ACCOUNT_ACTIVATION_DAYS,
        },
    )


@transaction.atomic
def renvoyer_lien_activation(*, email: str) -> None:
    """Send a new link to every account of this address still waiting for activation.

    The caller shows the same message whatever happens: whether an address is known is not revealed.
    Side effects: activation e-mails, after commit.
    """
    for user in User.objects.filter(email__iexact=email.strip(), is_active=False, last_login=None):
        _programmer_lien_activation(user)


def activer_compte(*, token: str) -> User:
    """Activate the account named by a signed link; a link works once.

    An account deactivated by the PAE after it was used (it has a last_login) is not reactivated
    by an old link either.
    """
    try:
        user_id = tokens.lire_jeton_activation(token)
    except signing.SignatureExpired as error:
        raise LienActivationExpire(
            f"Ce lien d'activation a expiré : il n'est valable que {settings.ACCOUNT_ACTIVATION_DAYS} jours."
        ) from error
    except signing.BadSignature as error:
        raise LienActivationInvalide("Ce lien d'activation n'est pas valide.") from error

    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None or (not user.is_active and user.last_login is not None):
            raise LienActivationInvalide("Ce lien d'activation n'est pas valide.")
        if user.is_active:
            raise CompteDejaActive(
                "Ce lien a déjà été utilisé : votre compte est déjà activé. "
                "Connectez-vous avec votre identifiant et votre mot de passe."
            )
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


# Certification (guide §2) and habilitation (guide §3.2.3.1) --------------------------------------


def certifier(*, user: User, by: User, notifier: bool = True) -> bool:
    """The PAE certifies the account « Opérateur douane »; it must be tied to its company first.

    Returns False when the account was already certified (nothing changes).
    Side effects: admin history row; e-mail to the user, after commit.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.entreprise_id is None:
            raise CertificationImpossible(
                f"Le compte « {locked.username} » n'est rattaché à aucune entreprise : "
                "renseignez d'abord son entreprise (numéro EORI)."
            )
        if locked.certifie_le is not None:
            return False
        locked.certifie_le = timezone.now()
        locked.save(update_fields=["certifie_le"])
        user.certifie_le = locked.certifie_le
        _journaliser(user=locked, by=by, message="Compte certifié « Opérateur douane ».")
        if notifier:
            _programmer_courriel(
                modele="certification",
                destinataire=locked.email,
                contexte={
                    "prenom": locked.first_name,
                    "entreprise": str(locked.entreprise),
                    "lien": url_absolue(reverse("accounts:services") + "#demande-habilitation"),
                },
            )
    return True


def habiliter(*, user: User, by: User, notifier: bool = True) -> bool:
    """The PAE grants access to SOPRANO; the account must be certified.

    Also closes the user's pending « Demander mon habilitation » requests.
    Returns False when the account was already habilitated.
    Side effects: admin history row; e-mail to the user, after commit.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.est_certifie:
            raise HabilitationImpossible(
                f"Le compte « {locked.username} » n'est pas certifié : certifiez-le avant de l'habiliter."
            )
        now = timezone.now()
        DemandeHabilitation.objects.filter(user=locked, traitee_le=None).update(traitee_le=now)
        if locked.habilite_le is not None:
            return False
        locked.habilite_le = now
        locked.save(update_fields=["habilite_le"])
        user.habilite_le = locked.habilite_le
        _journaliser(user=locked, by=by, message="Compte habilité au téléservice SOPRANO.")
        if notifier:
            _programmer_courriel(
                modele="habilitation",
                destinataire=locked.email,
                contexte={
                    "prenom": locked.first_name,
                    "lien": url_absolue(reverse("accounts:soprano_home")),
                },
            )
    return True


def demander_habilitation(*, user: User, departement: Departement) -> tuple[DemandeHabilitation, bool]:
    """« Demander mon habilitation »: record the request for the PAE of the chosen département.

    A request still pending is returned as is (created=False): no duplicate, no second e-mail.
    Side effects: e-mail to the département's PAE address, or when it has none to the PAE staff of the
    administration (courriels_pae_administration), after commit.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update(of=("self",)).select_related("entreprise").get(pk=user.pk)
        if locked.est_agent or not locked.est_certifie:
            raise HabilitationImpossible(
                "Votre compte doit être certifié par votre PAE avant de demander l'habilitation."
            )
        if locked.est_habilite:
            raise HabilitationImpossible("Vous êtes déjà habilité au téléservice SOPRANO.")
        en_cours = selectors.demande_habilitation_en_cours(user=locked)
        if en_cours is not None:
            return en_cours, False
        demande = DemandeHabilitation.objects.create(user=locked, departement=departement)
        # The département's PAE; without a known address, the PAE staff of the administration.
        destinataires = [departement.pae_courriel] if departement.pae_courriel else []
        if not destinataires:
            destinataires = selectors.courriels_pae_administration()
            logger.warning(
                "Demande d'habilitation %s : le département %s n'a pas d'adresse de PAE, transmise à %s "
                "compte(s) PAE de l'administration.",
                demande.pk,
                departement.code,
                len(destinataires),
            )
        for destinataire in destinataires:
            _programmer_courriel(
                modele="demande_habilitation",
                destinataire=destinataire,
                contexte={
                    "departement": str(departement),
                    "pae_nom": departement.pae_nom,
                    "sans_adresse_pae": not departement.pae_courriel,
                    "nom_complet": locked.get_full_name(),
                    "identifiant": locked.username,
                    "courriel": locked.email,
                    "raison_sociale": locked.entreprise.raison_sociale,
                    "eori": locked.entreprise.eori,
                    "recue_le": demande.created_at,
                    "lien_admin": url_absolue(
                        reverse("admin:accounts_demandehabilitation_change", args=[demande.pk])
                    ),
                },
            )
    return demande, True


# ------------------------------------------------------------------ « Calendrier des échéances »
def empreinte_calendrier(secret: str) -> str:
    """The SHA-256 stored in place of the feed's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def generer_calendrier(*, user: User) -> str:
    """A new secret for the user's deadlines feed; returns it (never stored: only its SHA-256), to be shown
    now, once. Side effect: the previous address, if any, stops working."""
    secret = secrets.token_urlsafe(32)
    CalendrierEcheances.objects.update_or_create(
        user=user, defaults={"hash": empreinte_calendrier(secret), "genere_le": timezone.now()}
    )
    return secret
