"""The OpenAPI 3.1 document of the read-only JSON API."""
# ruff: noqa: E501 - a literal document reads better unwrapped

from __future__ import annotations

from flask import current_app


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9-]+$"},
}


def openapi_document() -> dict:
    unauthorized = _json({"$ref": "#/components/schemas/Error"}, "Missing, invalid or revoked token")
    not_found = _json({"$ref": "#/components/schemas/Error"}, "No such survey")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['SITE_NAME']} research API",
            "version": "1.0.0",
            "description": "Read-only access for researchers. Create a personal token at /api-tokens and send "
            "it as `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": ERROR,
                "Survey": {
                    "type": "object",
                    "properties": {
                        "slug": {"type": "string"},
                        "title": {"type": "object", "additionalProperties": {"type": "string"}},
                        "status": {"type": "string", "enum": ["draft", "open", "closed"]},
                        "anonymity": {"type": "string", "enum": ["anonymous", "pseudonymous", "identified"]},
                        "versions": {"type": "integer"},
                        "responses": {"type": "integer"},
                        "results_public": {"type": "boolean"},
                    },
                },
                "VariableResult": {
                    "type": "object",
                    "properties": {
                        "variable": {"type": "string"},
                        "type": {"type": "string"},
                        "question": {"type": "object"},
                        "n": {"type": "integer"},
                        "counts": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "code": {"type": "integer"},
                                    "label": {"type": "string"},
                                    "count": {"type": "integer"},
                                },
                            },
                        },
                        "mean": {"type": ["number", "null"]},
                        "median": {"type": ["number", "null"]},
                    },
                },
            },
        },
        "paths": {
            "/surveys": {
                "get": {
                    "summary": "All surveys with their number of responses",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "surveys": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Survey"},
                                    }
                                },
                            },
                            "The surveys",
                        ),
                        "401": unauthorized,
                    },
                }
            },
            "/surveys/{slug}/results": {
                "get": {
                    "summary": "Aggregated results per variable (profile filters as query parameters, e.g. soort_dienst=1)",
                    "parameters": [SLUG],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "survey": {"type": "string"},
                                    "total": {"type": "integer"},
                                    "filters": {"type": "object"},
                                    "variables": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/VariableResult"},
                                    },
                                },
                            },
                            "Results",
                        ),
                        "401": unauthorized,
                        "404": not_found,
                    },
                }
            },
            "/surveys/{slug}/responses": {
                "get": {
                    "summary": "Responses, one object per response with the export's columns, keyset-paginated",
                    "parameters": [
                        SLUG,
                        {
                            "name": "page",
                            "in": "query",
                            "description": "Cursor: the `next_page` value of the previous page (omit for the first page)",
                            "schema": {"type": "integer", "minimum": 0},
                        },
                        {
                            "name": "per_page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "survey": {"type": "string"},
                                    "per_page": {"type": "integer"},
                                    "responses": {"type": "array", "items": {"type": "object"}},
                                    "next_page": {"type": ["integer", "null"]},
                                    "next": {"type": "string"},
                                },
                            },
                            "One page of responses",
                        ),
                        "400": _json({"$ref": "#/components/schemas/Error"}, "Bad paging parameters"),
                        "401": unauthorized,
                        "404": not_found,
                    },
                }
            },
        },
    }
