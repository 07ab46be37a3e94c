#!/bin/sh
# One image, three processes: web (migrations, static files, gunicorn), worker (Celery), beat (Celery beat).
set -eu

case "${1:-web}" in
  web)
    # Only the web service migrates: worker and beat wait for it to be healthy.
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput --verbosity 0
    exec gunicorn soprano.wsgi \
      --bind 0.0.0.0:8000 \
      --workers "${GUNICORN_WORKERS:-3}" \
      --timeout "${GUNICORN_TIMEOUT:-60}" \
      --access-logfile - \
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
