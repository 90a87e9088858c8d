"""The integration API, version 1: one NinjaAPI, one router per area (api/routers/)."""

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_GET
from ninja import NinjaAPI, Swagger
from ninja.openapi.views import openapi_view

from .errors import problems_install
from .routers import catalog, completions, issuances, webhooks

api = NinjaAPI(
    title="Badge portal API",
    version="1",
    description=(
        "Completions in, badges out, webhooks on every issuance. Authenticate with an API "
        "client's token: `Authorization: Bearer <token>`."
    ),
    urls_namespace="api-v1",
    # Served at /api/docs (docs_view below); Swagger UI from the files django-ninja ships, so the
    # page loads nothing from another host; no online validator.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url=None,
)
problems_install(api)
api.add_router("/completions", completions.router)
api.add_router("/issuances", issuances.router)
api.add_router("/students", issuances.students_router)
api.add_router("/", catalog.router)
api.add_router("/webhooks", webhooks.router)


@login_not_required
@require_GET
def docs_view(request):
    """/api/docs: the interactive documentation of /api/v1/openapi.json, for anyone."""
    return openapi_view(request, api=api)
