from django import forms
from django.utils.translation import gettext_lazy as _

from practices.models import Practice, ReminderChannel


class PracticeSettingsForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = [
            "sms_enabled",
            "reminder_channel",
            "reminder_hours_before",
            "forbid_negative_stock",
        ]
        help_texts = {
            "sms_enabled": _("Lets the practice send SMS to its clients (and SMS reminders)."),
            "reminder_hours_before": _("Reminders go this many hours before the session."),
            "forbid_negative_stock": _(
                "A sale of more than a warehouse holds is refused. Otherwise it is made, with a "
                "warning, and the stock goes below zero until the next delivery."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reminder_channel"].choices = [
            ("", _("No reminders")),
            *ReminderChannel.choices,
        ]
