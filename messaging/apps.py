from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        from clients.signals import card_changed
        from messaging.reminders import follow_card

        card_changed.connect(follow_card, dispatch_uid="messaging.follow_card")
