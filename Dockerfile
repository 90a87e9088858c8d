FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# gunicorn, Celery and manage.py (collectstatic, migrate) all run on the production settings.
ENV DJANGO_SETTINGS_MODULE=lms_portal.settings.production
WORKDIR /app

COPY pyproject.toml README.md ./
COPY lms_portal lms_portal
COPY common common
COPY accounts accounts
COPY catalog catalog
COPY classes classes
COPY assignments assignments
COPY achievements achievements
COPY badges badges
COPY credentials credentials
COPY awarding awarding
RUN pip install .

COPY . .
# Static files are collected at build time and served by whitenoise; the key only lives here.
RUN SECRET_KEY=collectstatic-only DEBUG=off python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 portal && mkdir -p /app/var /app/media && chown -R portal /app/var /app/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "lms_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
