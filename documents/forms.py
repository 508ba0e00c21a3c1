"""The pages' input, as the services take it (the services check the rest and name the field
they refuse)."""

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from documents import files
from documents.models import DocumentTemplate
from messaging.models import Channel, RecipientKind

NO_NUL = _("This text contains a NUL character.")


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise forms.ValidationError(NO_NUL)
    return value


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        # The service says what is wrong with a file (empty, too big, wrong type), naming it.
        allow_empty_file=True,
        error_messages={"required": _("Choose a file to attach.")},
        widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("What it is, e.g. “Referral letter”. The file's name if left empty."),
        validators=[_no_nul],
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[_no_nul],
    )


class TemplateForm(forms.ModelForm):
    class Meta:
        model = DocumentTemplate
        fields = ["name", "kind", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "class": "document-text"})}


def session_label(session) -> str:
    start = timezone.localtime(session.starts_at, session.practice.tz)
    parts = [
        formats.date_format(start, "SHORT_DATE_FORMAT"),
        formats.time_format(start.time(), "TIME_FORMAT"),
        session.professional.name,
        str(session.get_status_display()),
    ]
    return " · ".join(parts)


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return session_label(obj)


class DocumentForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=DocumentTemplate.objects.none(),
        empty_label=_("— choose a template —"),
        error_messages={"required": _("Choose a template.")},
    )
    session = SessionChoiceField(
        label=_("Session"),
        queryset=None,
        required=False,
        empty_label=_("— no session —"),
        help_text=_("For an attendance certificate: the session it certifies."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False, validators=[_no_nul])
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 16, "class": "document-text"}),
        validators=[_no_nul],
    )

    def __init__(self, *args, templates, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["session"].queryset = sessions
        for name in ("template", "session"):
            # Choosing one shows its text at once (app.js); a button does it without JavaScript.
            self.fields[name].widget.attrs["data-autosubmit"] = ""


class SendForm(forms.Form):
    """A generated document sent as PDF by e-mail or WhatsApp (never by SMS)."""

    channel = forms.ChoiceField(
        label=_("Send by"),
        choices=[(Channel.EMAIL, Channel.EMAIL.label), (Channel.WHATSAPP, Channel.WHATSAPP.label)],
        widget=forms.RadioSelect,
    )
    recipient = forms.ChoiceField(
        label=_("To"), choices=RecipientKind.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(
        label=_("Subject (e-mail)"), max_length=200, required=False, validators=[_no_nul]
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[_no_nul],
    )
