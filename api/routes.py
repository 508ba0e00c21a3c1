"""The REST API, /api/v1/. It calls the same access layer, forms and services as the pages."""

import datetime
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, Header, NinjaAPI, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import AfterValidator, BeforeValidator, StrictBool, WithJsonSchema
from pydantic_core import PydanticCustomError

from api.models import ApiToken, hash_token
from audit.models import Event
from clients import selectors
from clients.access import get_client_for_member
from clients.forms import COUNTRY_CHOICES, ChangeCodeForm, ClientForm
from clients.models import Client, PaymentMethod
from clients.services import (
    CARD_FIELDS,
    StaleVersion,
    change_client_code,
    register_client,
    update_client,
)
from clients.timeline import timeline_entries
from practices import roles
from practices.models import Professional

TOUCH_EVERY = datetime.timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cb_…`: acts as the token's member, in the member's practice."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token or "\x00" in token:
            return None
        found = (
            ApiToken.objects.usable()
            .select_related("member__practice", "member__user", "member__professional")
            .filter(key_hash=hash_token(token))
            .first()
        )
        if found is None:
            return None
        member = found.member
        request.member = member  # type: ignore[attr-defined]
        request.practice = member.practice  # type: ignore[attr-defined]
        request.user = member.user
        translation.activate(member.user.language or member.practice.language)
        # As on the pages: a date-time sent without an offset is in the practice's time zone.
        timezone.activate(member.practice.tz)
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return found


class StrictParser(Parser):
    """Input as the document describes it, nothing read into it: a body is a JSON object
    (ninja would read `[]`, `1` or `null` as `{}`), and a parameter of one value is given once
    (ninja would keep the last of `?before=x&before=y`)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError(_("The body must be a JSON object."))
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        repeated = [k for k, v in data.lists() if len(v) > 1 and k not in list_fields]
        if repeated:
            raise NinjaValidationError(
                [{"loc": ("query", k), "msg": _("Give this parameter once.")} for k in repeated]
            )
        return super().parse_querydict(data, list_fields, request)


api = NinjaAPI(
    title="Clientbook API",
    version="1",
    description=(
        "The client file of a practice. Authenticate with `Authorization: Bearer <token>`; "
        "create a token with `clientbook token create EMAIL`. Every call acts with the "
        "token's user's role in one practice; another practice's ids answer 404."
    ),
    auth=TokenAuth(),
    parser=StrictParser(),
    urls_namespace="api",
)


class Error(Schema):
    detail: str


class FieldErrors(Schema):
    detail: str
    errors: dict[str, list[str]]


class Conflict(Schema):
    detail: str
    current_version: int


# Every route may answer these; 422 is also a malformed query or path parameter.
ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: FieldErrors}
# Routes with a JSON body: 400 when the body is not JSON at all.
BODY_ERRORS: dict[int, Any] = {400: Error, **ERRORS}


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Not found.")}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or _("Your role does not allow this.")}, status=403
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = (
        {f: [str(m) for e in errs for m in e] for f, errs in exc.error_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": [str(m) for m in exc.messages]}
    )
    return api.create_response(
        request, {"detail": _("Invalid input."), "errors": errors}, status=422
    )


@api.exception_handler(NinjaValidationError)
def invalid_shape(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(p) for p in error.get("loc", ())]
        # ("body", "payload", field) or ("query", field): only the leading parts say where
        # (a field may itself be called `body`).
        if location[:1] in (["body"], ["query"]):
            location.pop(0)
        if location[:1] == ["payload"]:
            location.pop(0)
        errors.setdefault(".".join(location) or "__all__", []).append(str(error.get("msg")))
    return api.create_response(
        request, {"detail": _("Invalid input."), "errors": errors}, status=422
    )


# Schemas.

# Ids are 64-bit: a larger number overflows SQLite's driver (a 500) before any lookup.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _json_number(value: Any) -> Any:
    # In a JSON body, values have the type the document says. Pydantic would otherwise take
    # "12" for 12, 0 for false, and "20240517" for a date in 1970 (seconds since the epoch).
    if isinstance(value, str | bool):
        raise PydanticCustomError("json_number", _("Input should be a JSON number."))
    return value


IntIn = Annotated[int, BeforeValidator(_json_number)]
IdIn = Annotated[int, Field(ge=1, le=2**63 - 1), BeforeValidator(_json_number)]
# Text inputs: no NUL (PostgreSQL cannot store it; the pages refuse it too), and at most the
# length of the model's column, so the document says what the database will take.
NO_NUL = r"^[^\x00]*$"
Str20 = Annotated[str, Field(max_length=20, pattern=NO_NUL)]
Str40 = Annotated[str, Field(max_length=40, pattern=NO_NUL)]
Str60 = Annotated[str, Field(max_length=60, pattern=NO_NUL)]
Str100 = Annotated[str, Field(max_length=100, pattern=NO_NUL)]
Str200 = Annotated[str, Field(max_length=200, pattern=NO_NUL)]
Email = Annotated[str, Field(max_length=254, pattern=NO_NUL)]
Phone = Annotated[str, Field(max_length=40, pattern=NO_NUL)]
SafeStr = Annotated[str, Field(max_length=5000, pattern=NO_NUL)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
PaymentMethodIn = Literal[("", *PaymentMethod.values)]  # type: ignore[valid-type]
CountryIn = Literal[tuple(code for code, _ in COUNTRY_CHOICES)]  # type: ignore[valid-type]

FEE_TEXT = r"[0-9]{1,8}(\.[0-9]{1,2})?"


def _fee(value: Any) -> Any:
    # Decimal() would also read " 1", "+1", "1e2" or "-0".
    if isinstance(value, bool) or (isinstance(value, str) and not re.fullmatch(FEE_TEXT, value)):
        raise PydanticCustomError("fee", 'Enter an amount such as 150, "150" or "150.00".')
    return value


# A fee as a JSON number or a decimal string ("150.00"), as it is returned.
Fee = Annotated[
    Decimal,
    Field(ge=0, max_digits=10, decimal_places=2),
    BeforeValidator(_fee),
    WithJsonSchema(
        {
            "anyOf": [
                # No `multipleOf: 0.01`: binary floats make it disagree with itself.
                {"type": "number", "minimum": 0, "maximum": 99999999.99},
                {"type": "string", "pattern": f"^{FEE_TEXT}$"},
            ],
            "description": "At most two decimals.",
        }
    ),
]


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: Any) -> Any:
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
        raise PydanticCustomError("iso_date", _("Enter a date as YYYY-MM-DD."))
    return value


def _iso_time(value: Any) -> Any:
    if not isinstance(value, str) or not ISO_DAY.match(value):
        raise PydanticCustomError(
            "iso_datetime", _("Enter a date and time, YYYY-MM-DDTHH:MM±HH:MM.")
        )
    return value


def _plausible(value: datetime.datetime) -> datetime.datetime:
    # Years near 1 or 9999 overflow when converted to UTC for storage.
    if not 1900 <= value.year <= 9998:
        raise PydanticCustomError("date_range", _("Enter a date between 1900 and 9998."))
    return value


Day = Annotated[datetime.date, BeforeValidator(_iso_day)]
When = Annotated[datetime.datetime, BeforeValidator(_iso_time), AfterValidator(_plausible)]


class ProfessionalOut(Schema):
    id: int
    name: str
    title: str
    is_active: bool


class ClientOut(Schema):
    id: int
    code: str
    full_name: str
    preferred_name: str
    status: str
    status_reason: str
    status_changed_at: datetime.datetime
    professionals: list[int]
    birth_date: datetime.date | None
    national_id: str
    email: str
    phone: str
    whatsapp: str
    notes: str
    billing_name: str
    billing_tax_id: str
    default_fee: Decimal | None
    payment_method: str
    receives_invoices: bool
    street: str
    street2: str
    postal_code: str
    city: str
    region: str
    country: str
    referral_source: str
    insurance: str
    insurance_number: str
    emergency_contact_name: str
    emergency_contact_phone: str
    tags: list[str]
    guardian_name: str
    guardian_relation: str
    guardian_national_id: str
    guardian_email: str
    guardian_phone: str
    guardian_whatsapp: str
    billing_to_guardian_email: bool
    billing_to_guardian_whatsapp: bool
    documents_to_guardian_email: bool
    documents_to_guardian_whatsapp: bool
    anamnesis_group: int | None
    first_contact_at: datetime.datetime
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int
    is_minor_without_guardian: bool


class ClientSummary(Schema):
    id: int
    code: str
    full_name: str
    preferred_name: str
    status: str
    email: str
    phone: str
    professionals: list[int]
    first_contact_at: datetime.datetime


class ClientPageOut(Schema):
    items: list[ClientSummary]
    count: int = Field(description="Clients in this tab matching the search and filter.")
    next_cursor: str | None
    previous_cursor: str | None


class CardIn(Schema):
    """Card fields; omitted fields keep their value (PATCH) or default (POST)."""

    full_name: Name | None = None
    preferred_name: Str200 | None = None
    professionals: list[IdIn] | None = Field(None, description="Ids of professionals.")
    birth_date: Day | None = None
    national_id: Str40 | None = None
    email: Email | None = None
    phone: Phone | None = None
    whatsapp: Phone | None = None
    notes: SafeStr | None = None
    billing_name: Str200 | None = None
    billing_tax_id: Str40 | None = None
    default_fee: Fee | None = None
    payment_method: PaymentMethodIn | None = None
    receives_invoices: StrictBool | None = None
    street: Str200 | None = None
    street2: Str200 | None = None
    postal_code: Str20 | None = None
    city: Str100 | None = None
    region: Str100 | None = None
    country: CountryIn | None = None
    referral_source: Str200 | None = None
    insurance: Str200 | None = None
    insurance_number: Str60 | None = None
    emergency_contact_name: Str200 | None = None
    emergency_contact_phone: Phone | None = None
    tags: list[Annotated[str, Field(max_length=50, pattern=r"^[^\x00,]*$")]] | None = None
    guardian_name: Str200 | None = None
    guardian_relation: Str100 | None = None
    guardian_national_id: Str40 | None = None
    guardian_email: Email | None = None
    guardian_phone: Phone | None = None
    guardian_whatsapp: Phone | None = None
    billing_to_guardian_email: StrictBool | None = None
    billing_to_guardian_whatsapp: StrictBool | None = None
    documents_to_guardian_email: StrictBool | None = None
    documents_to_guardian_whatsapp: StrictBool | None = None
    anamnesis_group: IdIn | None = None
    first_contact_at: When | None = None


class ClientCreate(CardIn):
    full_name: Name
    professionals: list[IdIn] = Field(min_length=1, description="Ids of professionals.")
    status: Literal["active", "waitlist"] = "active"


class ClientPatch(CardIn):
    version: IntIn | None = Field(
        None, description="The version you read; or send it as `If-Match`. Stale: 409/412."
    )


class CodeIn(Schema):
    # Checked by the page's form: Unicode letters (a JSON Schema `\w` would mean ASCII only).
    code: Str20 = Field(description="Letters, digits, dots, dashes and slashes.")


class ChangeOut(Schema):
    field: str
    old: Any
    new: Any


class EventOut(Schema):
    id: int
    kind: str
    title: str
    actor: str
    created_at: datetime.datetime
    changes: list[ChangeOut]


def _phone(value: Any) -> str:
    return value.as_e164 if value else ""


def client_out(client: Client) -> dict[str, Any]:
    data = {f: getattr(client, f) for f in CARD_FIELDS}
    for name in Client.PHONE_FIELDS:
        data[name] = _phone(data[name])
    data["anamnesis_group"] = client.anamnesis_group_id
    return {
        **data,
        "id": client.pk,
        "code": client.code,
        "status": client.status,
        "status_reason": client.status_reason,
        "status_changed_at": client.status_changed_at,
        "professionals": sorted(p.pk for p in client.professionals.all()),
        "created_at": client.created_at,
        "updated_at": client.updated_at,
        "version": client.version,
        "is_minor_without_guardian": client.needs_guardian,
    }


def _etag(client: Client) -> str:
    return f'"{client.version}"'


def _form_data(payload: CardIn) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    data.pop("status", None)
    return {k: ("" if v is None and k != "professionals" else v) for k, v in data.items()}


def _validated(form: ClientForm) -> ClientForm:
    if not form.is_valid():
        raise ValidationError(
            {field: [str(m) for m in messages] for field, messages in form.errors.items()}
        )
    return form


# Routes.


@api.get("/professionals", response={200: list[ProfessionalOut], **ERRORS}, tags=["practice"])
def list_professionals(request: HttpRequest):
    """The practice's professionals (their ids go in a client's `professionals`)."""
    return Professional.objects.filter(practice=request.practice).order_by("name")


@api.get("/clients", response={200: ClientPageOut, **ERRORS}, tags=["clients"])
def list_clients(
    request: HttpRequest,
    status: Literal["active", "waitlist", "inactive", "forgotten", "all"] = "active",
    q: Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")] = "",
    professional: Id | None = None,
    debt: bool = False,
    sort: Literal[
        "name", "-name", "code", "-code", "contact", "-contact", "registered", "-registered"
    ]
    | None = None,
    after: Annotated[str, Field(min_length=1, max_length=500, pattern=r"^[A-Za-z0-9_=-]+$")]
    | None = None,
    before: Annotated[str, Field(min_length=1, max_length=500, pattern=r"^[A-Za-z0-9_=-]+$")]
    | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
):
    """Clients of one tab, searched (`q`: name fragments without accents, phone digits in any
    format, e-mail, code, national ID) and filtered (`debt`: only clients who owe something),
    by keyset pages: pass `next_cursor` as `after` for the next page."""
    page, counts = selectors.client_list(
        request.member,  # type: ignore[attr-defined]
        status=status,
        q=q,
        professional=professional,
        debt=debt,
        sort=sort,
        after=after,
        before=before,
        size=limit,
    )
    return {
        "items": [
            {
                "id": c.pk,
                "code": c.code,
                "full_name": c.full_name,
                "preferred_name": c.preferred_name,
                "status": c.status,
                "email": c.email,
                "phone": _phone(c.phone),
                "professionals": sorted(p.pk for p in c.professionals.all()),
                "first_contact_at": c.first_contact_at,
            }
            for c in page.rows
        ],
        "count": counts[status],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


@api.post("/clients", response={201: ClientOut, **BODY_ERRORS}, tags=["clients"])
def create_client(request: HttpRequest, payload: ClientCreate, response: HttpResponse):
    """Register a client: `full_name` and at least one professional are required."""
    member = request.member  # type: ignore[attr-defined]
    if not member.can(roles.ADD_CLIENT):
        raise PermissionDenied
    data = _form_data(payload)
    form = _validated(
        ClientForm(data=data, practice=request.practice, member=member, only=data.keys())  # type: ignore[attr-defined]
    )
    client = register_client(
        practice=request.practice,  # type: ignore[attr-defined]
        by=member,
        data=form.card_data(),
        status=payload.status,
    )
    response.headers["ETag"] = _etag(client)
    response.headers["Location"] = f"/api/v1/clients/{client.pk}"
    return Status(201, client_out(client))


@api.get("/clients/{client_id}", response={200: ClientOut, **ERRORS}, tags=["clients"])
def get_client(request: HttpRequest, client_id: Id, response: HttpResponse):
    client = get_client_for_member(request.member, client_id)  # type: ignore[attr-defined]
    response.headers["ETag"] = _etag(client)
    return client_out(client)


@api.patch(
    "/clients/{client_id}",
    response={
        200: ClientOut,
        409: Conflict,
        412: Conflict,
        428: Error,
        **BODY_ERRORS,
    },
    tags=["clients"],
)
def patch_client(
    request: HttpRequest,
    client_id: Id,
    payload: ClientPatch,
    response: HttpResponse,
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", description="The ETag you read, instead of `version`."),
    ] = None,
):
    """Change some fields. Send the version you read (`version` in the body, or the ETag as
    `If-Match`): if the card changed since, nothing is written and you get 409 (412 with
    If-Match) with the current version."""
    member = request.member  # type: ignore[attr-defined]
    client = get_client_for_member(member, client_id, write=True)
    if_match = (if_match or "").strip().removeprefix("W/").strip('"')
    expected = payload.version
    stale_status = 409
    if if_match:
        if not if_match.isdigit():
            return Status(
                412,
                {
                    "detail": _("If-Match must be an ETag of this API."),
                    "current_version": client.version,
                },
            )
        expected, stale_status = int(if_match), 412
    if expected is None:
        return Status(428, {"detail": _("Send the version you read: `version` or If-Match.")})
    data = _form_data(payload)
    form = _validated(
        ClientForm(
            data=data, practice=client.practice, member=member, instance=client, only=data.keys()
        )
    )
    card = form.card_data()
    try:
        client = update_client(
            client,
            by=member,
            fields=card.fields,
            professionals=card.professionals if "professionals" in data else None,
            expected_version=expected,
        )
    except StaleVersion as stale:
        return Status(
            stale_status,
            {
                "detail": _("The client changed since you read it."),
                "current_version": stale.current,
            },
        )
    response.headers["ETag"] = _etag(client)
    return Status(200, client_out(client))


@api.post(
    "/clients/{client_id}/code",
    response={200: ClientOut, **BODY_ERRORS},
    tags=["clients"],
)
def change_code(request: HttpRequest, client_id: Id, payload: CodeIn):
    """Give the client another code (discouraged; owner and admin). Must stay unique."""
    member = request.member  # type: ignore[attr-defined]
    client = get_client_for_member(member, client_id, permission=roles.CHANGE_CLIENT_CODE)
    form = _validated(ChangeCodeForm(data={"code": payload.code}))
    code = form.cleaned_data["code"]
    return Status(200, client_out(change_client_code(client, by=member, code=code)))


@api.get("/clients/{client_id}/events", response={200: list[EventOut], **ERRORS}, tags=["clients"])
def client_events(
    request: HttpRequest, client_id: Id, limit: Annotated[int, Field(ge=1, le=500)] = 100
):
    """The client's timeline, newest first: who changed which field from what to what."""
    client = get_client_for_member(request.member, client_id)  # type: ignore[attr-defined]
    events = Event.objects.filter(practice_id=client.practice_id, client=client).order_by(
        "-created_at", "-pk"
    )[:limit]
    return [
        {
            "id": entry.event.pk,
            "kind": entry.event.kind,
            "title": entry.title,
            "actor": entry.actor,
            "created_at": entry.event.created_at,
            "changes": [
                {"field": name, "old": old, "new": new}
                for name, (old, new) in entry.event.changes.items()
            ],
        }
        for entry in timeline_entries(events)
    ]


# The other parts of the API, on the same authentication, parser and error handlers.
from api import agenda  # noqa: E402

api.add_router("", agenda.router)

from api import messages  # noqa: E402

api.add_router("", messages.router)

from api import animals  # noqa: E402

api.add_router("", animals.router)

from api import billing  # noqa: E402

api.add_router("", billing.router)

from api import documents  # noqa: E402

api.add_router("", documents.router)
