"""Reminders before the automatic rejection: e-mails 10 and 3 days before an incomplete request's deadline.

Set-based like the automatic rejection (rex.services.rejet_automatique): one run selects, per threshold,
every request still Incomplète whose deadline is that close, locks a batch with SKIP LOCKED (an officer
or the operator acting on one keeps it: the next run takes it), and writes the batch with a constant
number of statements: the reminders (INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING: the unique
constraint (request, deadline, threshold) decides which are new, so two overlapping runs never send one
twice), one bulk INSERT of the history rows, one bulk INSERT of the outbox rows (rendered later by the
workers), and the history announced set-based (no webhook: the status does not change).

Days are Paris calendar days, as « jours restants » on the request's page: the 10-day reminder goes
from the day the deadline is 10 days away, whatever the hour of the deadline or a clock change between.
Catch-up: a missed run is made up by the next, which still sends the reminder not yet sent. When both
were missed (3 days or fewer left, no 10-day reminder), only the 3-day one is sent: two e-mails at
once would say the same thing. A new deadline (the request incomplete again after a complement) has no
reminder yet: it gets its own.
"""

from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from rex import emails, signals
from rex.models import Demande, Evenement, RelanceEcheance, Statut

TAILLE_LOT = 2000
MODELE = "rex/relance"
PALIERS = (RelanceEcheance.Palier.TROIS_JOURS, RelanceEcheance.Palier.DIX_JOURS)


def debut_du_jour(jour) -> datetime:
    """Midnight in Paris at the start of `jour` (aware): a calendar day's bound across clock changes."""
    return timezone.make_aware(datetime.combine(jour, time.min), timezone.get_default_timezone())


def fenetre(palier: int, *, now) -> Q:
    """The deadlines a threshold's reminder is due for at `now`: at most `palier` Paris calendar days
    left, and (for 10 days) more than 3 left, when the 3-day reminder takes over."""
    aujourd_hui = timezone.localdate(now)
    jusqu_a = debut_du_jour(aujourd_hui + timedelta(days=palier + 1))
    condition = Q(date_limite__gt=now, date_limite__lt=jusqu_a)
    suivant = [p for p in PALIERS if p < palier]
    if suivant:
        condition &= Q(date_limite__gte=debut_du_jour(aujourd_hui + timedelta(days=max(suivant) + 1)))
    return condition


def jours_restants(date_limite, *, now) -> int:
    return (timezone.localdate(date_limite) - timezone.localdate(now)).days


def commentaire(date_limite, *, now) -> str:
    """« Courriel envoyé 3 jours avant le rejet automatique (date limite : 12/04/2026 à 00:30) »."""
    jours = jours_restants(date_limite, now=now)
    delai = {0: "le jour même du", 1: "1 jour avant le"}.get(jours, f"{jours} jours avant le")
    echeance = timezone.localtime(date_limite).strftime("%d/%m/%Y à %H:%M")
    return f"Courriel envoyé {delai} rejet automatique (date limite : {echeance})"


def destinataires(*, courriel: str, representant_id, representant_courriel: str, compte: str) -> list[str]:
    """The holder's contact (rubrique 2, where status changes are notified) and, when a representative
    filed, his address (rubrique 3, or else his account's); the same address once."""
    adresses = [courriel]
    if representant_id is not None:
        adresses.append(representant_courriel or compte)
    vus, resultat = set(), []
    for adresse in filter(None, (a.strip() for a in adresses)):
        if adresse.lower() not in vus:
            vus.add(adresse.lower())
            resultat.append(adresse)
    return resultat


def _enregistrer(pks: list[int], palier: int, now) -> list[int]:
    """The reminders of `pks` for their current deadline; returns the requests whose reminder is new
    (the unique constraint drops those already sent, by an earlier or a concurrent run)."""
    marques = ", ".join(["%s"] * len(pks))
    table, demandes = RelanceEcheance._meta.db_table, Demande._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (demande_id, date_limite, palier, created_at) "  # nosec B608 - names from the models, values bound
            f"SELECT id, date_limite, %s, %s FROM {demandes} WHERE id IN ({marques}) "
            "ON CONFLICT (demande_id, date_limite, palier) DO NOTHING RETURNING demande_id",
            [palier, now, *pks],
        )
        return [ligne[0] for ligne in cursor.fetchall()]


def _relancer_lot(palier: int, *, now, taille_lot: int) -> int:
    """One batch of one threshold, in one transaction; returns how many reminders it recorded (0: done)."""
    deja = RelanceEcheance.objects.filter(
        demande_id=OuterRef("pk"), date_limite=OuterRef("date_limite"), palier=palier
    )
    with transaction.atomic():
        lot = list(
            Demande.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(fenetre(palier, now=now), statut=Statut.INCOMPLETE)
            .exclude(Exists(deja))
            .order_by("date_limite", "pk")
            .values(
                "pk",
                "numero",
                "service_id",
                "date_limite",
                "courriel",
                "representant_id",
                "representant_courriel",
                "created_by__email",
            )[:taille_lot]
        )
        if not lot:
            return 0
        nouvelles = set(_enregistrer([d["pk"] for d in lot], palier, now))
        lot = [d for d in lot if d["pk"] in nouvelles]
        if not lot:
            return 0
        Evenement.objects.bulk_create(
            Evenement(
                demande_id=d["pk"],
                numero_demande=d["numero"] or "",
                service_id=d["service_id"],
                acteur=None,
                kind=Evenement.Kind.RELANCE,
                statut_avant=Statut.INCOMPLETE,
                statut_apres=Statut.INCOMPLETE,
                commentaire=commentaire(d["date_limite"], now=now),
                payload={"palier": palier, "date_limite": d["date_limite"].isoformat()},
                created_at=now,
            )
            for d in lot
        )
        emails.programmer_courriels_lignes(
            [
                (
                    adresse,
                    d["pk"],
                    {
                        "jours": jours_restants(d["date_limite"], now=now),
                        "date_limite": timezone.localtime(d["date_limite"]).strftime("%d/%m/%Y à %H:%M"),
                    },
                )
                for d in lot
                for adresse in destinataires(
                    courriel=d["courriel"],
                    representant_id=d["representant_id"],
                    representant_courriel=d["representant_courriel"],
                    compte=d["created_by__email"],
                )
            ],
            modele=MODELE,
        )
        # Announced like the automatic rejection's history; the status does not change, so the
        # webhooks send nothing (webhooks.evenements.sur_evenements).
        signals.evenements_enregistres.send(
            sender=Evenement,
            demande_ids=[d["pk"] for d in lot],
            kind=Evenement.Kind.RELANCE,
            avant=Statut.INCOMPLETE,
            apres=Statut.INCOMPLETE,
        )
        return len(lot)


def relancer_echeances(*, now=None, taille_lot: int = TAILLE_LOT) -> int:
    """Sends every reminder due at `now` (3-day ones first) not sent yet for the request's current
    deadline; returns how many requests were reminded.

    Side effects: one history row per reminder; one outbox row per recipient, published after commit.
    """
    now = now or timezone.now()
    total = 0
    for palier in PALIERS:
        while nombre := _relancer_lot(palier, now=now, taille_lot=taille_lot):
            total += nombre
    return total
