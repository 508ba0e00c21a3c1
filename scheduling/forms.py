"""The agenda's forms: booking (one session or a recurring series), moving, cancelling, and
the practice's services and rooms. They check what a person typed; the rules of the agenda
(conflicts, who may book whom) are the services', whose errors come back onto these fields."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clients.access import visible_clients
from clients.models import Client, Status
from pets.access import visible_animals
from pets.models import Animal
from practices.models import Member, Practice, Professional
from scheduling.models import CancelledBy, Room, Series, Service
from scheduling.recurrence import Rule

MAX_SERIES_SESSIONS = 200
MAX_DURATION_MINUTES = 12 * 60


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_widget() -> forms.TimeInput:
    # Five-minute steps, the grid of the agenda; any minute may still be typed.
    return forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


def _check_year(value: datetime.date | None) -> datetime.date | None:
    if value is not None and not 1900 <= value.year <= 9998:
        raise ValidationError(_("Enter a date between 1900 and 9998."))
    return value


class ServiceSelect(forms.Select):
    """Each service carries its default duration and price, which the booking form's
    script copies into the empty duration and price fields (the server does the same)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        service = getattr(value, "instance", None)
        if service is not None:
            option["attrs"]["data-duration"] = service.default_duration
            if service.default_price is not None:
                option["attrs"]["data-price"] = f"{service.default_price:.2f}"
        return option


class IdChoiceField(forms.ModelChoiceField):
    """A model choice whose out-of-range ids are "unknown", not a database overflow."""

    def to_python(self, value):
        if value not in self.empty_values and (not str(value).isdigit() or int(value) >= 2**63):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SessionFields(forms.Form):
    """When a session takes place and how long: shared by booking and moving."""

    date = forms.DateField(label=_("Date"), widget=_date_widget())
    time = forms.TimeField(label=_("Start"), widget=_time_widget())
    duration = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        validators=[MinValueValidator(5), MaxValueValidator(MAX_DURATION_MINUTES)],
        widget=forms.NumberInput(attrs={"min": 5, "max": MAX_DURATION_MINUTES, "step": 5}),
    )

    def clean_date(self):
        return _check_year(self.cleaned_data.get("date"))

    @property
    def length(self) -> datetime.timedelta | None:
        """The duration typed, or None for the default (the service's, or as it was)."""
        minutes = self.cleaned_data.get("duration")
        return datetime.timedelta(minutes=minutes) if minutes else None


class BookingForm(SessionFields):
    """A session, or a recurring series when "repeats" is set (PsicoManager's "agendar
    sessões" and "sessões recorrentes")."""

    NO_REPEAT = ""
    REPEATS = [(NO_REPEAT, _("Does not repeat")), *Series.Frequency.choices]
    ENDS = [
        ("count", _("After a number of sessions")),
        ("until", _("On a date")),
        ("never", _("Never (kept booked six months ahead)")),
    ]

    client = IdChoiceField(
        label=_("Client"),
        queryset=Client.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the client: search by name, code or phone."),
            "invalid_choice": _("Choose an active client from the search."),
        },
    )
    professional = IdChoiceField(
        label=_("Professional"),
        queryset=Professional.objects.none(),
        empty_label=_("— choose —"),
        error_messages={"invalid_choice": _("Choose one of the practice's professionals.")},
    )
    service = IdChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        widget=ServiceSelect,
        empty_label=_("— none —"),
        error_messages={"invalid_choice": _("Choose one of the practice's services.")},
    )
    room = IdChoiceField(
        label=_("Room"),
        queryset=Room.objects.none(),
        required=False,
        empty_label=_("— none —"),
        error_messages={"invalid_choice": _("Choose one of the practice's rooms.")},
    )
    # Veterinary practices only (removed elsewhere); see offer_animals.
    animal = IdChoiceField(
        label=_("Animal"),
        queryset=Animal.objects.none(),
        required=False,
        empty_label=_("— none —"),
        error_messages={"invalid_choice": _("Choose one of the client's animals.")},
    )
    price = forms.DecimalField(
        label=_("Price"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
    )
    repeats = forms.ChoiceField(label=_("Repeats"), choices=REPEATS, required=False)
    interval = forms.IntegerField(
        label=_("Every"),
        initial=1,
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        widget=forms.NumberInput(attrs={"min": 1, "max": 52}),
        help_text=_("weeks or months"),
    )
    ends = forms.ChoiceField(
        label=_("Ends"), choices=ENDS, initial="count", widget=forms.RadioSelect, required=False
    )
    count = forms.IntegerField(
        label=_("Number of sessions"),
        initial=10,
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SERIES_SESSIONS)],
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_SERIES_SESSIONS}),
    )
    until = forms.DateField(label=_("Last date"), required=False, widget=_date_widget())

    field_order = [
        "client", "animal", "professional", "service", "room", "date", "time", "duration",
        "price", "repeats", "interval", "ends", "count", "until",
    ]  # fmt: skip

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        practice = member.practice_id
        self.member = member
        self.fields["client"].queryset = visible_clients(member).filter(status=Status.ACTIVE)
        self.fields["professional"].queryset = Professional.objects.filter(
            practice_id=practice
        ).active()
        self.fields["service"].queryset = Service.objects.filter(
            practice_id=practice, is_active=True
        )
        self.fields["room"].queryset = Room.objects.filter(practice_id=practice, is_active=True)
        self.fields["duration"].help_text = _("Empty: the service's duration.")
        self.fields["price"].help_text = _("Empty: the service's price.")
        if member.practice.kind == Practice.Kind.VETERINARY:
            # Any animal the member may see is taken here, so that another client's comes
            # back from the booking service with its error on the field; offer_animals
            # chooses what the select lists.
            self.fields["animal"].queryset = visible_animals(member)
            self.offer_animals(None)
        else:
            del self.fields["animal"]

    @property
    def asks_animal(self) -> bool:
        return "animal" in self.fields

    def offer_animals(self, client: Client | None, *, keep: Animal | None = None) -> None:
        """List `client`'s active animals in the animal select (none before a client is
        chosen), and `keep` (a series' animal, which it keeps even if marked inactive)."""
        if not self.asks_animal:
            return
        field = self.fields["animal"]
        animals = (
            Animal.objects.filter(practice_id=self.member.practice_id, client_id=client.pk)
            .filter(Q(is_active=True) | (Q(pk=keep.pk) if keep else Q()))
            .order_by("name", "pk")
            if client is not None
            else []
        )
        field.widget.choices = [
            ("", field.empty_label),
            *((a.pk, f"{a.name} ({a.get_species_display()})") for a in animals),
        ]
        field.help_text = (
            _("Optional: the client's animal the session is for.")
            if client is not None
            else _("Choose the client first: their animals are listed here.")
        )

    def clean_until(self):
        return _check_year(self.cleaned_data.get("until"))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("repeats"):
            return cleaned
        cleaned["interval"] = cleaned.get("interval") or 1
        ends = cleaned.get("ends") or "count"
        if ends == "count" and not cleaned.get("count"):
            self.add_error("count", _("How many sessions?"))
        if ends == "until":
            until, start = cleaned.get("until"), cleaned.get("date")
            if until is None:
                self.add_error("until", _("On which date does the series end?"))
            elif start is not None and until < start:
                self.add_error("until", _("The last date comes after the first."))
        return cleaned

    @property
    def rule(self) -> Rule | None:
        data = self.cleaned_data
        if not data.get("repeats"):
            return None
        ends = data.get("ends") or "count"
        return Rule(
            data["repeats"],
            data.get("interval") or 1,
            count=data.get("count") if ends == "count" else None,
            until=data.get("until") if ends == "until" else None,
        )


class RescheduleForm(SessionFields):
    room = IdChoiceField(
        label=_("Room"),
        queryset=Room.objects.none(),
        required=False,
        empty_label=_("— none —"),
        error_messages={"invalid_choice": _("Choose one of the practice's rooms.")},
    )

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(
            practice_id=member.practice_id, is_active=True
        )
        self.fields["duration"].help_text = _("Empty: as it was.")


class CancelForm(forms.Form):
    # A person cancels for the client or for the practice; "series paused" is the pause's.
    cancelled_by = forms.ChoiceField(
        label=_("Cancelled"),
        choices=[(c.value, c.label) for c in (CancelledBy.CLIENT, CancelledBy.PRACTICE)],
        widget=forms.RadioSelect,
        error_messages={"required": _("Who cancels: the client or the practice?")},
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("Shown on each cancelled session; empty: “Series paused”."),
    )


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    default_duration = forms.IntegerField(
        label=_("Default duration (minutes)"),
        initial=50,
        validators=[MinValueValidator(5), MaxValueValidator(MAX_DURATION_MINUTES)],
        widget=forms.NumberInput(attrs={"min": 5, "max": MAX_DURATION_MINUTES, "step": 5}),
    )
    default_price = forms.DecimalField(
        label=_("Default price"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=20,
        required=False,
        help_text=_("How a sale counts it, such as “h” or “session”."),
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.01"}),
        help_text=_("Empty: 0."),
    )
    is_active = forms.BooleanField(label=_("Active (offered when booking)"), required=False)

    def __init__(self, *args, member: Member, instance: Service | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "default_duration": instance.default_duration,
                    "default_price": instance.default_price,
                    "unit": instance.unit,
                    "tax_rate": instance.tax_rate,
                    "is_active": instance.is_active,
                },
            )
        else:
            kwargs.setdefault("initial", {"is_active": True, "tax_rate": Decimal(0)})
        super().__init__(*args, **kwargs)
        self.member = member
        self.instance = instance

    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = Service.objects.filter(practice_id=self.member.practice_id, name__iexact=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("The practice already has a service of this name."))
        return name

    def clean_tax_rate(self) -> Decimal:
        rate = self.cleaned_data.get("tax_rate")
        return Decimal(0) if rate is None else rate


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(label=_("Active (offered when booking)"), required=False)

    def __init__(self, *args, member: Member, instance: Room | None = None, **kwargs):
        initial = {"name": instance.name, "is_active": instance.is_active} if instance else {}
        kwargs.setdefault("initial", initial or {"is_active": True})
        super().__init__(*args, **kwargs)
        self.member = member
        self.instance = instance

    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = Room.objects.filter(practice_id=self.member.practice_id, name__iexact=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("The practice already has a room of this name."))
        return name


class SeriesChangeForm(BookingForm):
    """A series from one of its sessions on (or all its sessions to come): when, with whom,
    how it repeats. Sessions already held stay as they were."""

    WHAT = [
        ("following", _("This session and the following ones")),
        ("all", _("All the sessions still to come")),
    ]
    what = forms.ChoiceField(label=_("Change"), choices=WHAT, widget=forms.RadioSelect)

    def __init__(self, *args, member: Member, from_session: bool, **kwargs):
        super().__init__(*args, member=member, **kwargs)
        del self.fields["client"]
        if not from_session:
            del self.fields["what"]
        repeats = self.fields["repeats"]
        repeats.choices = Series.Frequency.choices
        repeats.required = True
        self.fields["date"].label = _("From")
        self.fields["date"].help_text = _("The first session of the change.")
        self.fields["count"].help_text = _("Counted from the first session of the change.")
        self.fields["duration"].help_text = _("Empty: as it is now.")
        self.order_fields(["what", *BookingForm.field_order])


class SeriesEndForm(forms.Form):
    WHAT = [
        ("following", _("This session and the following ones")),
        ("all", _("All the sessions still to come")),
    ]
    what = forms.ChoiceField(label=_("Remove"), choices=WHAT, widget=forms.RadioSelect)

    def __init__(self, *args, from_session: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not from_session:
            self.fields["what"].choices = self.WHAT[1:]
            self.fields["what"].initial = "all"
