"""The officers' queue at a national register's volume (issue 9): indexes matching its filters and its
keyset pagination, the EORI searched as an indexed prefix, the raison sociale through a trigram index.

The trigram index exists on PostgreSQL only (`pg_trgm`); elsewhere (SQLite) the search stays a plain
`icontains` and the two operations below do nothing.
"""

from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

# Matches the SQL of `titulaire_raison_sociale__icontains` on PostgreSQL: UPPER("…"::text) LIKE UPPER(%s).
INDEX_TRIGRAMMES = "rex_demande_raison_sociale_trgm"
CREER_TRIGRAMMES = (
    f"CREATE INDEX IF NOT EXISTS {INDEX_TRIGRAMMES} ON rex_demande "
    "USING gin (UPPER(titulaire_raison_sociale::text) gin_trgm_ops)"
)


# EORIs share long prefixes (FR + SIREN…): with the default histogram, PostgreSQL estimates a prefix of a
# whole EORI at hundreds of rows and ANDs the search with the service's 50,000 (9 ms instead of 0.1).
STATISTIQUES_EORI = "ALTER TABLE rex_demande ALTER COLUMN titulaire_eori SET STATISTICS {}"


def creer_index_trigrammes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREER_TRIGRAMMES)
        schema_editor.execute(STATISTIQUES_EORI.format(1000))


def supprimer_index_trigrammes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_TRIGRAMMES}")
        schema_editor.execute(STATISTIQUES_EORI.format(-1))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_telephone_entreprise"),
        ("rex", "0010_limites_textes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="demande",
            name="titulaire_eori",
            field=models.CharField(blank=True, db_index=True, max_length=17, verbose_name="numéro EORI"),
        ),
        migrations.AddIndex(
            model_name="demande",
            index=models.Index(
                condition=models.Q(("statut", "brouillon"), _negated=True),
                fields=["service", "-updated_at", "-id"],
                name="rex_file_maj",
            ),
        ),
        migrations.AddIndex(
            model_name="demande",
            index=models.Index(
                condition=models.Q(("statut", "brouillon"), _negated=True),
                fields=["service", "statut", "-updated_at", "-id"],
                name="rex_file_statut",
            ),
        ),
        migrations.AddIndex(
            model_name="demande",
            index=models.Index(
                condition=models.Q(("statut", "brouillon"), _negated=True),
                fields=["service", "agent", "-updated_at", "-id"],
                name="rex_file_agent",
            ),
        ),
        migrations.AddIndex(
            model_name="demande",
            index=models.Index(
                condition=models.Q(("statut", "brouillon"), _negated=True),
                fields=["service", "date_limite", "-updated_at", "-id"],
                name="rex_file_echeance",
            ),
        ),
        migrations.AddIndex(
            model_name="demande",
            index=models.Index(
                condition=models.Q(("depot_papier", True), ("statut", "brouillon")),
                fields=["-updated_at", "-id"],
                name="rex_depots_papier",
            ),
        ),
        # A no-op outside PostgreSQL (Django's CreateExtension checks the database's vendor itself).
        TrigramExtension(),
        migrations.RunPython(creer_index_trigrammes, supprimer_index_trigrammes, elidable=False),
    ]
