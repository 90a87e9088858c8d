"""The integration API, version 1: one NinjaAPI, one router per area (api/routers/)."""

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_GET
from ninja import NinjaAPI, Swagger
from ninja.openapi.views import openapi_view

from .errors import PROBLEM_CONTENT_TYPE, ProblemSchema, problems_install
from .routers import catalog, completions, issuances, webhooks

PROBLEM_STATUSES = {
    "400": "The body cannot be parsed (not JSON).",
    "401": "No token, or not the token of an active client.",
    "403": "The token lacks the scope this operation needs.",
    "413": "The request body is too large.",
    "422": "The request does not match the schema, or a value is refused.",
    "429": "Too many requests this minute: wait for Retry-After seconds.",
}


class PortalApi(NinjaAPI):
    """The OpenAPI document says what every authenticated operation may answer with besides
    its own responses: the problems of the token check, the size and validation limits, and
    the rate limit; all as `application/problem+json`, whichever router the operation is in."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        problem = {"$ref": "#/components/schemas/ProblemSchema"}
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ProblemSchema", ProblemSchema.model_json_schema())
        for item in schema["paths"].values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for status in list(responses):
                    if str(status) != status:
                        responses[str(status)] = responses.pop(status)
                if not operation.get("security"):
                    continue
                for status, description in PROBLEM_STATUSES.items():
                    responses.setdefault(status, {"description": description})
                for status, response in responses.items():
                    if status.startswith(("4", "5")):
                        response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": problem}}
        return schema


api = PortalApi(
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
