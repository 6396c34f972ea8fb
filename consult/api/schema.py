from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, extend_schema
from drf_spectacular.views import SpectacularAPIView

from consult.voting.registry import voting_methods


def ballot_request() -> dict:
    """The ballot request body: one schema per voting method, from the
    methods themselves (``VotingMethod.ballot_schema``)."""
    return {
        "application/json": {
            "oneOf": [
                {"title": f"{key} ballot", **method.ballot_schema()}
                for key, method in voting_methods().items()
            ]
        }
    }


def ballot_examples() -> list[OpenApiExample]:
    return [
        OpenApiExample(key, value=method.example, request_only=True)
        for key, method in voting_methods().items()
        if method.example
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
