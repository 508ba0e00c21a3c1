"""The REST API, /api/v1/. It calls the same access layer, forms and services as the pages."""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from ninja import Field, NinjaAPI, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from api.models import ApiToken, hash_token
from audit.models import Event
from clients import selectors
from clients.access import get_client_for_member, visible_clients
from clients.forms import ClientForm
from clients.models import Client
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
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return found


api = NinjaAPI(
    title="Clientbook API",
    version="1",
    description=(
        "The client file of a practice. Authenticate with `Authorization: Bearer <token>`; "
        "create a token with `clientbook token create EMAIL`. Every call acts with the "
        "token's user's role in one practice; another practice's ids answer 404."
    ),
    auth=TokenAuth(),
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


ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error}


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "Your role does not allow this."}, status=403
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = (
        {f: [str(m) for e in errs for m in e] for f, errs in exc.error_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": [str(m) for m in exc.messages]}
    )
    return api.create_response(request, {"detail": "Invalid input.", "errors": errors}, status=422)


@api.exception_handler(NinjaValidationError)
def invalid_shape(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "payload")]
        errors.setdefault(".".join(location) or "__all__", []).append(str(error.get("msg")))
    return api.create_response(request, {"detail": "Invalid input.", "errors": errors}, status=422)


# Schemas.

SafeStr = Annotated[str, Field(max_length=5000, pattern=r"^[^\x00]*$")]


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

    full_name: SafeStr | None = None
    preferred_name: SafeStr | None = None
    professionals: list[int] | None = Field(None, description="Ids of professionals.")
    birth_date: datetime.date | None = None
    national_id: SafeStr | None = None
    email: SafeStr | None = None
    phone: SafeStr | None = None
    whatsapp: SafeStr | None = None
    notes: SafeStr | None = None
    billing_name: SafeStr | None = None
    billing_tax_id: SafeStr | None = None
    default_fee: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    payment_method: SafeStr | None = None
    receives_invoices: bool | None = None
    street: SafeStr | None = None
    street2: SafeStr | None = None
    postal_code: SafeStr | None = None
    city: SafeStr | None = None
    region: SafeStr | None = None
    country: SafeStr | None = None
    referral_source: SafeStr | None = None
    insurance: SafeStr | None = None
    insurance_number: SafeStr | None = None
    emergency_contact_name: SafeStr | None = None
    emergency_contact_phone: SafeStr | None = None
    tags: list[Annotated[str, Field(max_length=50, pattern=r"^[^\x00,]*$")]] | None = None
    guardian_name: SafeStr | None = None
    guardian_relation: SafeStr | None = None
    guardian_national_id: SafeStr | None = None
    guardian_email: SafeStr | None = None
    guardian_phone: SafeStr | None = None
    guardian_whatsapp: SafeStr | None = None
    billing_to_guardian_email: bool | None = None
    billing_to_guardian_whatsapp: bool | None = None
    documents_to_guardian_email: bool | None = None
    documents_to_guardian_whatsapp: bool | None = None
    anamnesis_group: int | None = None
    first_contact_at: datetime.datetime | None = None


class ClientCreate(CardIn):
    full_name: SafeStr
    professionals: list[int]
    status: Literal["active", "waitlist"] = "active"


class ClientPatch(CardIn):
    version: int | None = Field(
        None, description="The version you read; or send it as `If-Match`. Stale: 409/412."
    )


class CodeIn(Schema):
    code: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[\w./-]+$")]


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
    for name in ("phone", "whatsapp", "emergency_contact_phone", "guardian_phone",
                 "guardian_whatsapp"):  # fmt: skip
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
    professional: int | None = None,
    sort: Literal[
        "name", "-name", "code", "-code", "contact", "-contact", "registered", "-registered"
    ]
    | None = None,
    after: Annotated[str, Field(max_length=500, pattern=r"^[A-Za-z0-9_=-]*$")] | None = None,
    before: Annotated[str, Field(max_length=500, pattern=r"^[A-Za-z0-9_=-]*$")] | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
):
    """Clients of one tab, searched (`q`: name fragments without accents, phone digits in any
    format, e-mail, code, national ID) and filtered, by keyset pages: pass `next_cursor` as
    `after` for the next page."""
    member = request.member  # type: ignore[attr-defined]
    clients = selectors.filter_clients(visible_clients(member), q=q, professional=professional)
    counts = selectors.status_counts(member, clients, filtered=bool(q or professional))
    sort = sort or selectors.default_sort(status)
    page = selectors.client_page(
        clients.with_status(status).prefetch_related(
            Prefetch("professionals", queryset=Professional.objects.only("pk"))
        ),
        sort=sort.lstrip("-"),
        descending=sort.startswith("-"),
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


@api.post("/clients", response={201: ClientOut, 422: FieldErrors, **ERRORS}, tags=["clients"])
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
    return 201, client_out(client)


@api.get("/clients/{client_id}", response={200: ClientOut, **ERRORS}, tags=["clients"])
def get_client(request: HttpRequest, client_id: int, response: HttpResponse):
    client = get_client_for_member(request.member, client_id)  # type: ignore[attr-defined]
    response.headers["ETag"] = _etag(client)
    return client_out(client)


@api.patch(
    "/clients/{client_id}",
    response={
        200: ClientOut,
        409: Conflict,
        412: Conflict,
        422: FieldErrors,
        428: Error,
        **ERRORS,
    },
    tags=["clients"],
)
def patch_client(
    request: HttpRequest, client_id: int, payload: ClientPatch, response: HttpResponse
):
    """Change some fields. Send the version you read (`version` in the body, or the ETag as
    `If-Match`): if the card changed since, nothing is written and you get 409 (412 with
    If-Match) with the current version."""
    member = request.member  # type: ignore[attr-defined]
    client = get_client_for_member(member, client_id, write=True)
    if_match = request.headers.get("If-Match", "").strip().strip('W/"').strip('"')
    expected = payload.version
    stale_status = 409
    if if_match:
        if not if_match.isdigit():
            return 412, {
                "detail": "If-Match must be an ETag of this API.",
                "current_version": client.version,
            }
        expected, stale_status = int(if_match), 412
    if expected is None:
        return 428, {"detail": "Send the version you read: `version` or If-Match."}
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
        return stale_status, {
            "detail": "The client changed since you read it.",
            "current_version": stale.current,
        }
    response.headers["ETag"] = _etag(client)
    return 200, client_out(client)


@api.post(
    "/clients/{client_id}/code",
    response={200: ClientOut, 422: FieldErrors, **ERRORS},
    tags=["clients"],
)
def change_code(request: HttpRequest, client_id: int, payload: CodeIn):
    """Give the client another code (discouraged; owner and admin). Must stay unique."""
    member = request.member  # type: ignore[attr-defined]
    client = get_client_for_member(member, client_id, permission=roles.CHANGE_CLIENT_CODE)
    return 200, client_out(change_client_code(client, by=member, code=payload.code))


@api.get("/clients/{client_id}/events", response={200: list[EventOut], **ERRORS}, tags=["clients"])
def client_events(
    request: HttpRequest, client_id: int, limit: Annotated[int, Field(ge=1, le=500)] = 100
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
