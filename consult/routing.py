from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from consult.consumers import ConsultationConsumer

# The host wraps these in AllowedHostsOriginValidator too; checking the origin
# here as well keeps a host that forgets from serving cross-site sockets.
websocket_urlpatterns = [
    path(
        "ws/consult/consultations/<int:page_id>/",
        AllowedHostsOriginValidator(ConsultationConsumer.as_asgi()),
    ),
]
