"""Batch jobs at volume: the automatic rejection, the export to the EU REX database, the cached PDF.

The automatic rejection really runs (its after-commit work needs real commits): the rows it changes are
saved first and put back afterwards, so that the data set can be measured again (`--reuse`). The job is
timed whole (statuses, history and outbox rows, commits, what it publishes); the sending of its e-mails,
which the workers do afterwards, is timed apart.
"""

import gc
import re
import statistics
import time
import tracemalloc
from contextlib import contextmanager

from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from rex import emails, pdf, publication, tasks
from rex.models import MOTIF_REJET_AUTOMATIQUE, Courriel, Demande, Evenement, Statut
from rex.services import rejeter_delais_depasses

# The same change as rex.services.rejet_automatique, set-based, in one statement: every overdue request
# rejected, each modification's registration given back, and one history row for each.
SQL_REJET = """
WITH lot AS (
    UPDATE rex_demande
       SET statut = 'rejetee', date_limite = NULL, motif_rejet = %(motif)s, rejetee_le = %(now)s,
           updated_at = %(now)s
     WHERE statut = 'incomplete' AND date_limite <= %(now)s
 RETURNING id, numero, service_id, version_precedente_id
), retablies AS (
    UPDATE rex_demande AS r
       SET statut = 'octroyee', updated_at = %(now)s
      FROM lot
     WHERE r.id = lot.version_precedente_id AND r.statut = 'modification_demandee'
 RETURNING r.id, r.numero, r.service_id
), historique AS (
    INSERT INTO rex_evenement (demande_id, numero_demande, service_id, acteur_id, kind, statut_avant,
                               statut_apres, commentaire, payload, created_at)
    SELECT id, COALESCE(numero, ''), service_id, NULL::bigint, 'rejet_automatique', 'incomplete', 'rejetee',
           %(motif)s, '{}'::jsonb, %(now)s
      FROM lot
    UNION ALL
    SELECT id, COALESCE(numero, ''), service_id, NULL::bigint, 'modification_refusee',
           'modification_demandee', 'octroyee', %(refus)s, '{}'::jsonb, %(now)s
      FROM retablies
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM lot), (SELECT COUNT(*) FROM retablies), (SELECT COUNT(*) FROM historique)
"""
REFUS_MODIFICATION = "Demande de modification rejetée automatiquement (délai de 30 jours)."
ESSAIS_SQL = 3


def vacuum(*tables: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def nature(sql: str) -> str:
    """« UPDATE rex_demande », « INSERT rex_evenement », « SELECT rex_courriel »…: what a statement does."""
    verbe = sql.lstrip().split(None, 1)[0].upper()
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql)
    return f"{verbe} {table.group(1)}" if table else verbe


@contextmanager
def compter_requetes(compteur: dict):
    """Counts and times the statements, by nature, apart for those run while `compteur["envoi"]` is set."""

    def compter(execute, sql, params, many, context):
        debut = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            partie = "envoi" if compteur.get("envoi") else "travail"
            compteur[f"requetes_{partie}"] = compteur.get(f"requetes_{partie}", 0) + 1
            durees = compteur.setdefault(f"natures_{partie}", {})
            n, total = durees.get(nature(sql), (0, 0.0))
            durees[nature(sql)] = (n + 1, total + time.perf_counter() - debut)

    with connection.execute_wrapper(compter):
        yield compteur


@contextmanager
def espionner(module, nom: str, compteur: dict, cle: str, *, drapeau: str = ""):
    """Counts the calls of module.nom and the time spent in them (the module calls it by its global);
    `compteur[drapeau]` is set meanwhile."""
    original = getattr(module, nom)

    def espion(*args, **kwargs):
        debut = time.perf_counter()
        if drapeau:
            compteur[drapeau] = True
        try:
            return original(*args, **kwargs)
        finally:
            if drapeau:
                compteur[drapeau] = False
            compteur[cle] = compteur.get(cle, 0) + 1
            compteur[f"{cle}_s"] = compteur.get(f"{cle}_s", 0.0) + time.perf_counter() - debut

    setattr(module, nom, espion)
    try:
        yield compteur
    finally:
        setattr(module, nom, original)


def sql_brut(now) -> tuple[float, tuple]:
    """The raw SQL of the same change, timed, then rolled back."""
    with transaction.atomic(), connection.cursor() as cursor:
        debut = time.perf_counter()
        cursor.execute(SQL_REJET, {"motif": MOTIF_REJET_AUTOMATIQUE, "now": now, "refus": REFUS_MODIFICATION})
        comptes = cursor.fetchone()
        duree = time.perf_counter() - debut
        transaction.set_rollback(True)
    return duree, comptes


def rejet_automatique() -> dict:
    """rex.services.rejeter_delais_depasses against its raw SQL; then the data set is put back."""
    now = timezone.now()
    en_retard = Demande.objects.filter(statut=Statut.INCOMPLETE, date_limite__lte=now)
    resultat = {"en_retard": en_retard.count()}
    durees = []
    for _ in range(ESSAIS_SQL):
        duree, comptes = sql_brut(now)
        durees.append(duree)
        vacuum("rex_demande", "rex_evenement")
    resultat.update(sql_s=statistics.median(durees), sql_lignes=list(comptes))

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_scale_avant")
        cursor.execute(
            "CREATE TABLE bench_scale_avant AS SELECT id, statut, date_limite, motif_rejet, rejetee_le, "
            "updated_at FROM rex_demande WHERE statut IN ('incomplete', 'modification_demandee')"
        )
    dernier_evenement = Evenement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    dernier_courriel = Courriel.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    mail.outbox = []
    compteur: dict = {}
    gc.collect()
    # The whole job: statuses, history rows and outbox rows, committed; and what it publishes after commit
    # (with a broker: one sending task per batch of e-mails; without one, eager Celery here: nothing, the
    # planner's next pass sends them).
    with (
        espionner(emails, "_rendre", compteur, "rendus"),
        espionner(emails, "publier_lots", compteur, "publies", drapeau="envoi"),
        compter_requetes(compteur),
    ):
        debut = time.perf_counter()
        rejetees = rejeter_delais_depasses(now=now)
        resultat["service_s"] = time.perf_counter() - debut
    # Then the e-mails, as the workers send them (the planner's pass): rendered from the outbox, sent in
    # batches over one connection each (locmem backend: no network).
    envoi: dict = {"envoi": True}
    gc.collect()
    with (
        espionner(emails, "_rendre", envoi, "rendus"),
        espionner(emails, "get_connection", envoi, "connexions"),
        compter_requetes(envoi),
    ):
        debut = time.perf_counter()
        envoyes = tasks.renvoyer_courriels_en_attente()
        resultat["envoi_s"] = time.perf_counter() - debut
    nouveaux = Evenement.objects.filter(pk__gt=dernier_evenement)
    courriels = Courriel.objects.filter(pk__gt=dernier_courriel)
    resultat.update(
        rejetees=rejetees,
        requetes=compteur.get("requetes_travail", 0),
        natures=plus_longues(compteur.get("natures_travail", {})),
        rendus=compteur.get("rendus", 0),
        rendu_s=compteur.get("rendus_s", 0.0),
        publies=compteur.get("publies", 0),
        envoyes=envoyes,
        rendus_envoi=envoi.get("rendus", 0),
        rendu_envoi_s=envoi.get("rendus_s", 0.0),
        connexions=envoi.get("connexions", 0),
        requetes_envoi=envoi.get("requetes_envoi", 0),
        natures_envoi=plus_longues(envoi.get("natures_envoi", {})),
        historique=nouveaux.filter(kind=Evenement.Kind.REJET_AUTOMATIQUE).count(),
        refus_modification=nouveaux.filter(kind=Evenement.Kind.MODIFICATION_REFUSEE).count(),
        courriels=courriels.count(),
        courriels_envoyes=courriels.filter(envoye_le__isnull=False).count(),
        boite_locale=len(mail.outbox),
    )
    remettre(dernier_evenement, dernier_courriel)
    return resultat


def plus_longues(natures: dict, n: int = 5) -> list:
    return sorted(([nom, nombre, s] for nom, (nombre, s) in natures.items()), key=lambda x: -x[2])[:n]


def remettre(dernier_evenement: int, dernier_courriel: int) -> None:
    """Puts the data set back as seeded: statuses, deadlines, history, outbox, and the tables' layout."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rex_demande AS d SET statut = a.statut, date_limite = a.date_limite, "
            "motif_rejet = a.motif_rejet, rejetee_le = a.rejetee_le, updated_at = a.updated_at "
            "FROM bench_scale_avant AS a WHERE d.id = a.id AND d.statut <> a.statut"
        )
        cursor.execute("DELETE FROM rex_evenement WHERE id > %s", [dernier_evenement])
        cursor.execute("DELETE FROM rex_courriel WHERE id > %s", [dernier_courriel])
        cursor.execute("DROP TABLE bench_scale_avant")
    # The job, the rolled-back raw SQL and the restore left dead rows and moved rows: without compaction, the
    # next measure (--reuse) would read a larger, reordered table and get other plans than a fresh seed.
    with connection.cursor() as cursor:
        cursor.execute("CLUSTER rex_demande USING rex_demande_pkey")  # the seed's order (COPY by id)
        cursor.execute("VACUUM FULL rex_evenement, rex_courriel")
    vacuum("rex_demande", "rex_evenement", "rex_courriel")
    mail.outbox = []


def export(format: str) -> dict:
    """publication.exporter(format) consumed fully: time (and queries), then peak memory (tracemalloc)."""
    compteur: dict = {}
    caracteres = 0
    gc.collect()
    with compter_requetes(compteur):
        debut = time.perf_counter()
        for morceau in publication.exporter(format):
            caracteres += len(morceau)
        duree = time.perf_counter() - debut
    gc.collect()
    tracemalloc.start()
    for _ in publication.exporter(format):
        pass
    _, pic = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "enregistrements": publication._courants().count(),
        "caracteres": caracteres,
        "s": duree,
        "requetes": compteur.get("requetes_travail", 0),
        "pic_mio": pic / 2**20,
    }


def pdf_en_cache() -> dict:
    """« Imprimer l'autorisation » twice: the second download should render nothing."""
    operateur = User.objects.get(username="operateur")
    enregistrement = Demande.objects.get(titulaire_id=operateur.entreprise_id, statut=Statut.OCTROYEE)
    client = Client()
    client.force_login(operateur)
    url = reverse("rex:imprimer", args=[enregistrement.pk])
    essais = []
    for _ in range(2):
        compteur: dict = {}
        with espionner(pdf, "rendre_html", compteur, "html"), espionner(pdf, "rendre_pdf", compteur, "pdf"):
            debut = time.perf_counter()
            reponse = client.get(url)
            octets = b"".join(reponse.streaming_content)
            reponse.close()
            duree = time.perf_counter() - debut
        if reponse.status_code != 200 or not octets.startswith(b"%PDF"):
            raise RuntimeError(f"GET {url} answered {reponse.status_code}")
        essais.append(
            {
                "s": duree,
                "octets": len(octets),
                "html": compteur.get("html", 0),
                "html_s": compteur.get("html_s", 0.0),
                "pdf": compteur.get("pdf", 0),
                "pdf_s": compteur.get("pdf_s", 0.0),
            }
        )
    return {"url": url, "essais": essais}


def mesurer_tout(progression=print) -> dict:
    resultats = {}
    progression("  automatic rejection…")
    resultats["rejet"] = rejet_automatique()
    for format in publication.FORMATS:
        progression(f"  export {format}…")
        resultats[f"export_{format}"] = export(format)
    progression("  PDF download ×2…")
    resultats["pdf"] = pdf_en_cache()
    return resultats
