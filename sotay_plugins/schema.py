"""The OpenAPI schema generator (kept apart from api.py, which DRF imports during its own
start-up)."""

from drf_spectacular import generators


class SchemaGenerator(generators.SchemaGenerator):
    """Describes /api/v1/ only (config.api_urls), not the Wagtail admin's internal API."""

    def __init__(self, *args, urlconf=None, **kwargs):
        super().__init__(*args, urlconf=urlconf or "config.api_urls", **kwargs)


#: The error shape of sotay_plugins.api.exception_handler (CONTRACT.md): a Vietnamese ``detail``
#: and, for bad input, ``fields`` (field name → messages).
ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: a Vietnamese sentence, and the bad fields when there are some.",
    "properties": {
        "detail": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}

ERROR_DESCRIPTIONS = {
    "400": "Malformed or invalid input (`fields` names what to fix).",
    "401": "Not signed in, or the token is unknown.",
    "403": "Signed in, but without the right to do this.",
    "404": "No such object in the caller's scope, or no such page.",
    "413": "The request body is too large.",
    "415": "The body's content type is not accepted here.",
    "429": "Too many requests; try again later.",
}


def document_errors(result, generator, request, public):
    """Every operation's error answers, in the one shape the exception handler gives them.

    drf-spectacular documents the success answers only, so a client (or schemathesis's
    status-code check) could not know that a bad id answers 404 or a bad body 400. An answer an
    operation documents itself is kept as it is.
    """
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = ["400", "404"]
            if any(operation.get("security", [])):  # [{}]: anonymous callers welcome
                codes += ["401", "403"]
            else:  # open to anonymous callers (signing in): refused or throttled
                codes += ["403", "429"]
            if "requestBody" in operation:
                codes += ["413", "415"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result
