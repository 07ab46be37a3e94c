#!/bin/sh
# One image, four roles: migrate (one shot), web (gunicorn), worker (Celery, CELERY_QUEUES), beat.
# Static files are collected at image build; the web nodes never migrate (N replicas would race).
set -eu

case "${1:-web}" in
  migrate)
    python manage.py migrate --noinput
    # Idempotent and offline (the HS nomenclature ships with the image).
    python manage.py load_reference_data
    ;;
  web)
    exec gunicorn soprano.wsgi \
      --bind 0.0.0.0:8000 \
      --workers "${GUNICORN_WORKERS:-3}" \
      --timeout "${GUNICORN_TIMEOUT:-60}" \
      --graceful-timeout 30 \
      --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
      --no-control-socket
    ;;
  worker)
    # CELERY_QUEUES: the queues this worker takes (docker-compose.yml gives each queue workers of its own).
    exec celery -A soprano worker --loglevel="${LOG_LEVEL:-INFO}" --concurrency="${CELERY_CONCURRENCY:-2}" \
      --queues="${CELERY_QUEUES:-defaut,courriels,pdf}"
    ;;
  beat)
    # Schedule in the database (django_celery_beat.DatabaseScheduler, see settings): no local state.
    exec celery -A soprano beat --loglevel="${LOG_LEVEL:-INFO}"
    ;;
  *)
    exec "$@"
    ;;
esac
