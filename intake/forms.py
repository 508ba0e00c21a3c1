"""The pages' input for anamnesis forms and answers. The services check the rules and name
the question they refuse; the fields here only read what was typed."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake import answers as answer_rules
from intake.models import AnamnesisGroup, AnamnesisQuestion, QuestionKind
from intake.selectors import Current


class GroupForm(forms.ModelForm):
    class Meta:
        model = AnamnesisGroup
        fields = ["name"]


class QuestionForm(forms.ModelForm):
    choices = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For “one choice from a list”: one option per line."),
    )

    class Meta:
        model = AnamnesisQuestion
        fields = ["text", "kind", "choices", "required", "help_text"]
        widgets = {"text": forms.TextInput(attrs={"autofocus": True})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["choices"] = "\n".join(self.instance.choices or [])

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def _field(question: AnamnesisQuestion) -> forms.Field:
    """A field that reads the answer; its messages name the question. Never `required` here:
    the service says which required question is unanswered, naming it."""
    text = question.text
    common: dict[str, Any] = {"label": text, "required": False, "help_text": question.help_text}
    kind = question.kind
    if kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(max_length=answer_rules.TEXT_LENGTH[kind], **common)
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(
            max_length=answer_rules.TEXT_LENGTH[kind],
            widget=forms.Textarea(attrs={"rows": 3}),
            **common,
        )
    if kind == QuestionKind.YES_NO:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.CHOICE:
        options = [(c, c) for c in question.choices]
        widget = forms.RadioSelect if len(options) <= 6 else forms.Select
        if widget is forms.Select:
            options = [("", "—"), *options]
        return forms.ChoiceField(
            choices=options,
            widget=widget,
            error_messages={
                "invalid_choice": _("“%s”: choose one of the options.") % text,
            },
            **common,
        )
    if kind == QuestionKind.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={"invalid": _("“%s”: enter a date.") % text},
            **common,
        )
    return forms.DecimalField(
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": _("“%s”: enter a number.") % text},
        **common,
    )


class AnswersForm(forms.Form):
    """The asked questions of the client's form, filled with the latest answers; `revision`
    is the number of the revision they were read from (a concurrent save is then noticed)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, current: Current, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = current.questions
        self.fields["revision"].initial = current.number
        stored = {row.key: row.value for row in current.rows}
        for question in self.questions:
            field = _field(question)
            field.is_required_question = question.required  # type: ignore[attr-defined]
            field.question_kind = question.kind  # type: ignore[attr-defined]
            self.fields[question.field_name] = field
            self.initial[question.field_name] = _initial(question, stored.get(str(question.pk)))

    def question_fields(self):
        return [self[q.field_name] for q in self.questions]

    def answers(self) -> dict[str, Any]:
        """The answers as the service takes them: {question id: value}."""
        found = {}
        for question in self.questions:
            value = self.cleaned_data.get(question.field_name)
            if question.kind == QuestionKind.YES_NO:
                value = {"yes": True, "no": False}.get(value)
            elif question.kind == QuestionKind.NUMBER and value is not None:
                value = str(value)
            found[str(question.pk)] = value if value not in ("", None) else None
        return found


def _initial(question: AnamnesisQuestion, value: Any) -> Any:
    if question.kind == QuestionKind.YES_NO:
        return {True: "yes", False: "no"}.get(value, "")
    if question.kind == QuestionKind.NUMBER and value is not None:
        return Decimal(str(value))  # shown the user's way ("72,5" in Portuguese)
    return value
