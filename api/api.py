"""The integration API, version 1: one NinjaAPI, one router per area (api/routers/)."""

from ninja import NinjaAPI

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
)
problems_install(api)
api.add_router("/completions", completions.router)
api.add_router("/issuances", issuances.router)
api.add_router("/", catalog.router)
api.add_router("/webhooks", webhooks.router)
