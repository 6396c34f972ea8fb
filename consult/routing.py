from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path, re_path

from consult import converters  # noqa: F401 (registers the id converter)
from consult.consumers import ConsultationConsumer, UnknownPathConsumer

# The host wraps these in AllowedHostsOriginValidator too; checking the origin
# here as well keeps a host that forgets from serving cross-site sockets.
websocket_urlpatterns = [
    path(
        "ws/consult/consultations/<id:page_id>/",
        AllowedHostsOriginValidator(ConsultationConsumer.as_asgi()),
    ),
    # Keep last: any other path of the package (an id out of range, a typo)
    # is closed with 4404 rather than failing the handshake with a 500.
    re_path(r"^ws/consult/", UnknownPathConsumer.as_asgi()),
]
