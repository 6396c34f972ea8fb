from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from consult import conf


class WriteRateThrottle(SimpleRateThrottle):
    """Limits writes per user (or per IP when anonymous) by the view's
    ``throttle_scope``, at the rate ``CONSULT["THROTTLE_RATES"][scope]``."""

    cache_format = "consult:throttle:%(scope)s:%(ident)s"

    def __init__(self):
        # The rate depends on the view, known only in allow_request().
        pass

    def allow_request(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        self.scope = getattr(view, "throttle_scope", None)
        if not self.scope:
            return True
        self.rate = conf.get("THROTTLE_RATES").get(self.scope)
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
