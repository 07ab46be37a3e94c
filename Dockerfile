# SOPRANO/REX — one image for the migration, the web nodes, the Celery workers and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=soprano.settings.base \
    STATIC_ROOT=/app/var/static \
    PRIVATE_MEDIA_ROOT=/app/var/private

# WeasyPrint (pango, harfbuzz), document types (libmagic), fonts for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libmagic1 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The dependencies first, in their own layer, from the lock file: exact versions, every file checked
# against its hash (`make lock` refreshes it from pyproject.toml). The code runs from /app.
COPY requirements/production.txt requirements/production.txt
RUN pip install --require-hashes -r requirements/production.txt

COPY . .
# Static files collected once, at build (hashed names, compressed): the nodes start without writing any.
# Throwaway keys: collectstatic signs nothing.
RUN SECRET_KEY=collectstatic VERIFICATION_KEY=collectstatic python manage.py collectstatic --noinput --verbosity 0
RUN useradd --system --uid 1000 --home-dir /app --shell /usr/sbin/nologin soprano \
    && mkdir -p /app/var/static /app/var/private \
    && chown -R soprano:soprano /app/var \
    && chmod +x docker/entrypoint.sh
USER soprano

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
