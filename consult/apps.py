from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultConfig(AppConfig):
    name = "consult"
    label = "consult"
    verbose_name = _("Consultations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The app's wiring place: it may import every layer, so that the
        # layers themselves only ever import downwards (models <- services
        # <- realtime <- entry points).
        from consult import (
            checks,  # noqa: F401  (registers the system checks)
            views,
        )
        from consult.admin.panels import configure_consultation_page
        from consult.blocks import ConsultationBodyBlock, EligibilityBlock
        from consult.models import ConsultationPage, pages
        from consult.notifications import receivers as notification_receivers
        from consult.realtime import checks as realtime_checks  # noqa: F401
        from consult.realtime import receivers

        pages.wire(
            body_block=ConsultationBodyBlock(),
            eligibility_block=EligibilityBlock(),
            index_context=views.index_context,
            page_context=views.page_context,
            routes=views.PAGE_ROUTES,
        )
        configure_consultation_page(ConsultationPage)
        receivers.connect()
        notification_receivers.connect()
