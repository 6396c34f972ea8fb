from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, extend_schema
from drf_spectacular.views import SpectacularAPIView

_ID = {"type": "integer", "minimum": 1}
_IDS = {"type": "array", "items": _ID, "uniqueItems": True}

#: The ballot body of each voting method (README, "Voting methods").
BALLOT_BODIES = {
    "yes_no": {"choice": {"type": "string", "enum": ["yes", "no", "abstain"]}},
    "single": {"option": _ID},
    "approval": {"options": _IDS},
    "ranked": {"ranking": {**_IDS, "minItems": 1}},
    "score": {
        "scores": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "integer", "minimum": 0},
        }
    },
    "budget": {"options": _IDS},
}

BALLOT_REQUEST = {
    "application/json": {
        "oneOf": [
            {
                "title": f"{method} ballot",
                "type": "object",
                "properties": properties,
                "required": list(properties),
                "additionalProperties": False,
            }
            for method, properties in BALLOT_BODIES.items()
        ]
    }
}

BALLOT_EXAMPLES = [
    OpenApiExample(name, value=value, request_only=True)
    for name, value in [
        ("yes_no", {"choice": "yes"}),
        ("single", {"option": 12}),
        ("approval", {"options": [12, 14]}),
        ("ranked", {"ranking": [14, 12, 13]}),
        ("score", {"scores": {"12": 5, "14": 0}}),
        ("budget", {"options": [12, 13]}),
    ]
]


def document(**kwargs):
    """``extend_schema`` for a view method, independent of the host's settings.

    On a method, ``extend_schema`` builds on ``DEFAULT_SCHEMA_CLASS`` from the
    host's ``REST_FRAMEWORK`` setting, which a host need not point at
    drf-spectacular; giving the method its schema first avoids that.
    """

    def decorate(method):
        method.schema = AutoSchema()
        return extend_schema(**kwargs)(method)

    return decorate


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "consult.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`, with a key created on your account's API tokens page.",
        }


class ConsultEndpoints(EndpointEnumerator):
    """Only this package's endpoints: the host may run other DRF APIs."""

    def should_include_endpoint(self, path, callback, *args, **kwargs):
        view = getattr(callback, "cls", None)
        return (
            view is not None
            and view.__module__.startswith("consult.api")
            and not issubclass(view, SpectacularAPIView)
            and super().should_include_endpoint(path, callback, *args, **kwargs)
        )


class ConsultSchemaGenerator(SchemaGenerator):
    endpoint_inspector_cls = ConsultEndpoints


class SchemaView(SpectacularAPIView):
    generator_class = ConsultSchemaGenerator
    custom_settings = {
        "TITLE": "wagtail-consult API",
        "VERSION": "1",
        "DESCRIPTION": "Consultations, questions, ballots and tallies.",
    }
