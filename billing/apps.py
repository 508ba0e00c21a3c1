from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from billing import signals  # noqa: F401  (every new practice gets its document types)
        from billing.pdf import render_attachment
        from messaging import attachments

        # Sales documents go by e-mail or WhatsApp as PDF files (messaging.attachments).
        attachments.register("billing.document", render_attachment)
