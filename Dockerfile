FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# gunicorn, Celery and manage.py (collectstatic, migrate) all run on the production settings.
ENV DJANGO_SETTINGS_MODULE=lms_portal.settings.production
WORKDIR /app

# The locked versions, each checked against its hash (requirements/production.txt, `make lock`),
# in a layer of their own that a change of the code does not rebuild.
COPY requirements/production.txt requirements/production.txt
RUN pip install --require-hashes --no-deps -r requirements/production.txt

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
COPY deliveries deliveries
COPY awarding awarding
COPY api api
# The portal itself, with nothing more from the index: its dependencies are all above.
RUN pip install --no-deps --no-build-isolation .

COPY . .
# Static files are collected at build time and served by whitenoise; the key only lives here.
RUN SECRET_KEY=collectstatic-only DEBUG=off python manage.py collectstatic --noinput

# The `static` volume of docker-compose starts as a copy of /app/staticfiles, owned by portal, so
# that the one-shot collectstatic of each `up` can refresh it.
RUN useradd --create-home --uid 1000 portal \
    && mkdir -p /app/var /app/media \
    && chown -R portal /app/var /app/media /app/staticfiles
USER portal
EXPOSE 8000
# No access log of gunicorn's: the portal logs every request as JSON (request_finished, with its
# id, client address, user and status).
CMD ["gunicorn", "lms_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
