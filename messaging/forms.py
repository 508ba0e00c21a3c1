from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from messaging.models import Channel, MessageKind, MessageTemplate, RecipientKind


class NewMessageForm(forms.Form):
    """The page's input, as the service takes it (the service checks the rest and names the
    field it refuses)."""

    WHEN = [("now", _("Now")), ("later", _("Later, at"))]

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    recipient = forms.ChoiceField(label=_("To"), choices=RecipientKind.choices)
    template = forms.ChoiceField(label=_("Template"), required=False)
    subject = forms.CharField(label=_("Subject (e-mail)"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 7})
    )
    when = forms.ChoiceField(label=_("Send"), choices=WHEN, initial="now", widget=forms.RadioSelect)
    send_at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, templates: list[MessageTemplate], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("— none —"))] + [
            (str(t.pk), f"{t.name} ({t.get_language_display()})") for t in templates
        ]
        self.fields["template"].widget.attrs["data-template-picker"] = "#message-templates"
        self.fields["body"].widget.attrs["maxlength"] = 20000

    def clean(self):
        data = super().clean()
        if data.get("when") == "later" and not data.get("send_at") and "send_at" not in self.errors:
            self.add_error("send_at", _("Choose when to send it."))
        return data


class TemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["name", "kind", "channel", "language", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("Any channel")), *Channel.choices]
        self.fields["kind"].choices = MessageKind.choices
        self.fields["language"].choices = settings.LANGUAGES
