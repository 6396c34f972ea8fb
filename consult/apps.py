from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultConfig(AppConfig):
    name = "consult"
    label = "consult"
    verbose_name = _("Consultations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the system checks.
        from consult import checks  # noqa: F401
        from consult.notifications import receivers
        from consult.realtime import checks as realtime_checks  # noqa: F401

        receivers.connect()
