"""Errors as `application/problem+json` (RFC 9457): a type, a title, the status, a detail, and
for validation errors the list of what was wrong. Every error the API answers goes through
here, so a client sees one shape whatever went wrong."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "/api/docs#problem-"


class ProblemSchema(Schema):
    """What every error response holds (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


class Problem(Exception):
    """Raise to answer with a problem document: `Problem(403, "missing-scope", "Missing scope",
    "This token lacks the scope completions:write.")`."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem_response(api: NinjaAPI, request: HttpRequest, problem: Problem) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + problem.slug,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.errors is not None:
        body["errors"] = problem.errors
    response = api.create_response(request, body, status=problem.status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    for name, value in problem.headers.items():
        response[name] = value
    return response


def _validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's (pydantic's) errors without the echoed input, which may be huge."""
    return [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in errors[:100]
    ]


def too_large() -> Problem:
    limit = settings.API_MAX_BODY_BYTES
    return Problem(
        413,
        "too-large",
        "Request too large",
        f"The body may hold at most {limit:,} bytes ({limit / 1024 / 1024:g} MB); send fewer "
        "items per request.",
    )


def body_size_check(request: HttpRequest) -> None:
    """Refuse a body past API_MAX_BODY_BYTES by its Content-Length, before anything reads it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.API_MAX_BODY_BYTES:
        raise too_large()


def _invalid_detail(errors: list[dict[str, Any]]) -> str:
    for error in errors:
        if error.get("type") == "too_long" and isinstance(error.get("ctx"), dict):
            most = error["ctx"].get("max_length")
            where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
            return (
                f"At most {most:,} items in {where or 'the list'} per request: "
                "send the rest in another request."
            )
    return "The request does not match the schema: see errors."


def problems_install(api: NinjaAPI) -> None:
    @api.exception_handler(Problem)
    def _problem(request, exc: Problem):
        return problem_response(api, request, exc)

    @api.exception_handler(ValidationError)
    def _invalid(request, exc: ValidationError):
        return problem_response(
            api,
            request,
            Problem(
                422,
                "invalid-request",
                "Invalid request",
                _invalid_detail(exc.errors),
                errors=_validation_errors(exc.errors),
            ),
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return problem_response(
            api,
            request,
            Problem(
                401,
                "unauthenticated",
                "Authentication required",
                "Send a valid API token: Authorization: Bearer <token>.",
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            ),
        )

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request, exc):
        return problem_response(api, request, too_large())

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        return problem_response(
            api, request, Problem(exc.status_code, "http-error", str(exc), str(exc))
        )
