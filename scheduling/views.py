"""The agenda's pages: the agenda itself, booking, a session and its actions (move, cancel,
mark, remove), a series' change, end, pause and resume, and the practice's services and
rooms.

Every change goes through scheduling.services; every row is fetched through
scheduling.access (another practice's id is a 404). A page opened from the agenda by htmx
is drawn in the agenda's dialog (the same template's partial); without JavaScript it is a
page of its own. After a change the user goes back where they came from (`next`: the
agenda's day or week, or the client's card) with a message.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clientbook.http import PracticeRequest, safe_next
from clientbook.lib.forms import apply_errors
from clientbook.lib.money import format_money
from practices import roles
from practices.access import member_required
from practices.models import Role
from scheduling import agenda as layout
from scheduling import selectors
from scheduling.access import (
    get_room_for_member,
    get_series_for_member,
    get_service_for_member,
    get_session_for_member,
)
from scheduling.forms import (
    BookingForm,
    CancelForm,
    PauseForm,
    RescheduleForm,
    RoomForm,
    SeriesChangeForm,
    SeriesEndForm,
    ServiceForm,
)
from scheduling.models import Series, Session, SessionStatus
from scheduling.recurrence import local_moment
from scheduling.services import (
    SeriesPlan,
    book_series,
    book_session,
    cancel_session,
    change_series,
    delete_session,
    end_series,
    mark_session,
    pause_series,
    reschedule_session,
    resume_series,
    save_room,
    save_service,
)

DIALOG = "dialog-body"  # the agenda's <dialog> content, where htmx draws these pages
# The booking form's animal select, which htmx draws again when the client changes.
ANIMAL_FIELD = "animal-field"
# The services name the moment of a session "starts_at"; the forms ask for a date and a time.
SERVICE_FIELDS = {"starts_at": "time", "start_date": "date"}


SERIES_BOOKED = ngettext_lazy(
    "%(count)s session booked: %(client)s with %(professional)s, from %(when)s.",
    "%(count)s sessions booked: %(client)s with %(professional)s, from %(when)s.",
    "count",
)


# Helpers.


def _posted(request: PracticeRequest) -> QueryDict | None:
    """The form's data on a POST (even an empty one: a confirmation has no fields)."""
    return request.POST if request.method == "POST" else None


def _in_dialog(request: PracticeRequest) -> bool:
    return bool(request.htmx) and request.htmx.target == DIALOG


def _page(request: PracticeRequest, template: str, ctx: dict, *, partial: str) -> HttpResponse:
    """The whole page, or only its `partial` for the agenda's dialog."""
    if _in_dialog(request):
        return render(request, f"{template}#{partial}", {**ctx, "in_dialog": True})
    return render(request, template, ctx)


def _go(request: PracticeRequest, url: str) -> HttpResponse:
    if request.htmx:
        # From the dialog: the whole page goes (the agenda, redrawn with the change).
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _agenda_url(day: datetime.date | None = None, *, view: str = "day", scope: str = "") -> str:
    params = QueryDict(mutable=True)
    params["view"] = view
    if day is not None:
        params["date"] = day.isoformat()
    if scope:
        params["scope"] = scope
    return f"{reverse('scheduling:agenda')}?{params.urlencode()}"


def _when(moment: datetime.datetime, tz) -> str:
    return formats.date_format(timezone.localtime(moment, tz), "DATETIME_FORMAT")


def _default_scope(request: PracticeRequest) -> layout.Scope:
    """A professional opens their own agenda; everyone else the whole practice's."""
    own = getattr(request.member, "professional", None)
    if request.member.role == Role.PROFESSIONAL and own is not None:
        return layout.Scope("professional", own.pk)
    return layout.Scope("all")


# The agenda.


@member_required
def agenda(request: PracticeRequest) -> HttpResponse:
    member, practice = request.member, request.practice
    tz = practice.tz
    now = timezone.now()
    today = timezone.localdate(now, tz)
    professionals = selectors.practice_professionals(member)
    rooms = selectors.practice_rooms(member)
    scope = layout.parse_scope(
        request.GET.get("scope", ""),
        professionals=[p.pk for p in professionals],
        rooms=[r.pk for r in rooms],
        default=_default_scope(request),
    )
    view = request.GET.get("view", "")
    if view not in layout.VIEWS:
        view = "day" if scope.is_practice else "week"
    params = layout.AgendaParams(
        view=view,
        day=layout.parse_day(request.GET.get("date", ""), today),
        scope=scope,
        show_cancelled=request.GET.get("cancelled") != "hide",
    )
    sessions = selectors.agenda_sessions(
        member,
        first_day=params.first_day,
        days=params.days,
        professional=scope.pk if scope.kind == "professional" else None,
        room=scope.pk if scope.kind == "room" else None,
        cancelled=params.show_cancelled,
    )
    base = reverse("scheduling:agenda")
    session_url = reverse("scheduling:session", args=[0]).removesuffix("0/")
    links = layout.Links(
        session=lambda pk: f"{session_url}{pk}/",
        day=lambda day: base + params.query(view="day", day=day),
        book=reverse("scheduling:book"),
        back=base + params.query(),
    )
    shape = {"professionals": professionals, "rooms": rooms, "tz": tz, "now": now, "links": links}
    first_day = params.first_day
    last_day = first_day + params.step - datetime.timedelta(days=1)
    date_format = formats.get_format("DATE_FORMAT")
    if params.view == "day":
        weekday = formats.date_format(first_day, "l")
        title = f"{weekday}, {formats.date_format(first_day, date_format)}"
    else:
        title = (
            f"{formats.date_format(first_day, date_format)} – "
            f"{formats.date_format(last_day, date_format)}"
        )
    ctx = {
        "params": params,
        "title": title,
        "scope_name": _scope_name(scope, professionals, rooms),
        "grid": layout.time_grid(params, sessions, **shape) if params.is_grid else None,
        "table": None if params.is_grid else layout.week_table(params, sessions, **shape),
        "session_count": len(sessions),
        "base": base,
        "today": today,
        "is_current": first_day <= today <= last_day,
        "nav": {
            "previous": base + params.query(day=params.day - params.step),
            "next": base + params.query(day=params.day + params.step),
            "today": base + params.query(day=today),
            "day": base + params.query(view="day"),
            "week": base + params.query(view="week"),
            "cancelled": base + params.query(show_cancelled=not params.show_cancelled),
        },
        "professionals": [p for p in professionals if p.is_active or p.pk == scope.pk],
        "rooms": [r for r in rooms if r.is_active or r.pk == scope.pk],
        "book_url": links.book_href(
            params.day,
            professional=scope.pk if scope.kind == "professional" else None,
            room=scope.pk if scope.kind == "room" else None,
        )
        if professionals
        else "",
        "can_manage": member.can(roles.MANAGE_PRACTICE),
        "shows_busy": not member.can(roles.VIEW_ALL_CLIENTS),
        "busy_label": _("Busy"),
    }
    return render(request, "scheduling/agenda.html", ctx)


def _scope_name(scope: layout.Scope, professionals, rooms) -> str:
    if scope.kind == "professional":
        return next(p.name for p in professionals if p.pk == scope.pk)
    if scope.kind == "room":
        return next(r.name for r in rooms if r.pk == scope.pk)
    return _("Whole practice, by room") if scope.by_room else _("Whole practice")


# Booking.

BOOKING_FIELDS = (
    "client", "animal", "professional", "service", "room", "date", "time", "duration", "price",
    "repeats", "interval", "ends", "count", "until",
)  # fmt: skip


def _booking_initial(request: PracticeRequest) -> dict:
    """What the link asked for (a free slot of the agenda: date, time, professional, room;
    the card: the client, and an animal of theirs), or what the user had typed before
    searching for a client."""
    initial = {name: request.GET[name] for name in BOOKING_FIELDS if request.GET.get(name)}
    initial.setdefault("date", timezone.localdate().isoformat())
    initial.setdefault("interval", 1)
    initial.setdefault("count", 10)
    initial.setdefault("ends", "count")
    own = getattr(request.member, "professional", None)
    if "professional" not in initial and own is not None and own.is_active:
        initial["professional"] = own.pk
    client = str(initial.get("client", ""))
    if "professional" not in initial and client.isdigit() and int(client) < 2**63:
        # From the card: the client's responsible professional.
        responsible = selectors.responsible_professional(request.member, int(client))
        if responsible is not None:
            initial["professional"] = responsible
    return initial


def _chosen_client(form: BookingForm, value) -> object | None:
    """The client already chosen (by the link, or before a search), if the member may book it."""
    if not value or not str(value).isdigit() or int(value) >= 2**63:
        return None
    queryset = form.fields["client"].queryset.only("pk", "full_name", "preferred_name", "code")
    return queryset.filter(pk=value).first()


@member_required(permission=roles.CHANGE_CLIENT)
@require_http_methods(["GET", "POST"])
def book(request: PracticeRequest) -> HttpResponse:
    member, practice = request.member, request.practice
    if request.method == "POST":
        form = BookingForm(request.POST, member=member)
    else:
        form = BookingForm(initial=_booking_initial(request), member=member)
    next_url = safe_next(request, "")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "by": member,
            "client": data["client"],
            "professional": data["professional"],
            "duration": form.length,
            "service": data["service"],
            "room": data["room"],
            "price": data["price"],
            "animal": data.get("animal"),
        }
        try:
            rule = form.rule
            if rule is None:
                session = book_session(
                    starts_at=local_moment(data["date"], data["time"], practice.tz), **common
                )
                first, count = session.starts_at, 1
            else:
                series = book_series(start_date=data["date"], at=data["time"], rule=rule, **common)
                first_session = series.sessions.order_by("starts_at").first()
                first, count = first_session.starts_at, series.sessions.count()
        except ValidationError as error:
            apply_errors(form, error, SERVICE_FIELDS)
        else:
            names = {
                "client": data["client"].full_name,
                "professional": data["professional"].name,
                "when": _when(first, practice.tz),
                "count": count,
            }
            if rule is None:
                text = _("Session booked: %(client)s with %(professional)s, %(when)s.") % names
            else:
                text = SERIES_BOOKED % names
            messages.success(request, text)
            local_day = timezone.localtime(first, practice.tz).date()
            default = _agenda_url(
                local_day, view="week", scope=f"professional-{data['professional'].pk}"
            )
            return _go(request, next_url or default)
    chosen = _chosen_client(form, form["client"].value())
    # Without JavaScript the animals are those of the client chosen when the page was drawn
    # ("Find" draws it again); an animal of another client is refused by the service.
    form.offer_animals(chosen)
    query = request.GET.get("client_q", "").strip()[:200]
    ctx = {
        "form": form,
        "chosen_client": chosen,
        "client_q": query,
        "results": _without(selectors.bookable_clients(member, query), chosen),
        "next": next_url,
        "cancel_url": next_url or _agenda_url(),
    }
    return _page(request, "scheduling/book.html", ctx, partial="form")


def _without(results: list, chosen) -> list:
    return [c for c in results if chosen is None or c.pk != chosen.pk]


@member_required(permission=roles.CHANGE_CLIENT)
@require_http_methods(["GET"])
def client_options(request: PracticeRequest) -> HttpResponse:
    """The booking form's client picker: the active clients matching what is typed (htmx).
    When a client is chosen, htmx asks it for the animal select instead (targeting it): the
    chosen client's animals, the animal already chosen kept if it is one of them."""
    form = BookingForm(member=request.member, initial={"animal": request.GET.get("animal")})
    chosen = _chosen_client(form, request.GET.get("client", ""))
    form.offer_animals(chosen)
    if request.htmx and request.htmx.target == ANIMAL_FIELD:
        return render(request, "scheduling/book.html#animal-field", {"form": form})
    query = request.GET.get("client_q", "").strip()[:200]
    ctx = {
        "form": form,
        "chosen_client": chosen,
        "client_q": query,
        "results": _without(selectors.bookable_clients(request.member, query), chosen),
    }
    return render(request, "scheduling/book.html#client-options", ctx)


# A session and its actions.


def _session_default(session: Session) -> str:
    return _agenda_url(timezone.localtime(session.starts_at, session.practice.tz).date())


@member_required
@require_http_methods(["GET"])
def session_detail(request: PracticeRequest, pk: int) -> HttpResponse:
    session = get_session_for_member(request.member, pk)
    tz = session.practice.tz
    now = timezone.now()
    start = timezone.localtime(session.starts_at, tz)
    end = timezone.localtime(session.ends_at, tz)
    scheduled = session.status == SessionStatus.SCHEDULED
    can_change = request.member.can(roles.CHANGE_CLIENT)
    ctx = {
        "session": session,
        "client": session.client,
        "start": start,
        "end": end,
        "minutes": int(session.duration.total_seconds() // 60),
        "price": format_money(session.price, session.practice.currency)
        if session.price is not None
        else "",
        "series": session.series,
        "series_summary": layout.series_summary(session.series) if session.series else "",
        "can_move": can_change and scheduled and session.starts_at > now,
        "can_cancel": can_change and scheduled,
        "can_remove": can_change and scheduled and session.starts_at > now,
        "can_mark": can_change
        and session.status != SessionStatus.CANCELLED
        and session.starts_at <= now,
        "can_change": can_change,
        "next": safe_next(request, ""),
        "back_url": safe_next(request, _session_default(session)),
        "agenda_url": _agenda_url(
            start.date(), view="week", scope=f"professional-{session.professional_id}"
        ),
    }
    return _page(request, "scheduling/session.html", ctx, partial="detail")


def _session_form_page(
    request: PracticeRequest, session: Session, template: str, form: Form
) -> HttpResponse:
    ctx = {
        "session": session,
        "form": form,
        "start": timezone.localtime(session.starts_at, session.practice.tz),
        "next": safe_next(request, ""),
        "back_url": safe_next(request, _session_default(session)),
    }
    return _page(request, template, ctx, partial="form")


@member_required(permission=roles.CHANGE_CLIENT)
@require_http_methods(["GET", "POST"])
def session_reschedule(request: PracticeRequest, pk: int) -> HttpResponse:
    session = get_session_for_member(request.member, pk)
    tz = session.practice.tz
    start = timezone.localtime(session.starts_at, tz)
    form = RescheduleForm(
        _posted(request),
        member=request.member,
        initial={
            "date": start.date(),
            "time": start.time().replace(second=0, microsecond=0),
            "duration": int(session.duration.total_seconds() // 60),
            "room": session.room_id,
        },
    )
    if request.method == "POST" and session.starts_at <= timezone.now():
        # Past sessions are history: marked (attended, missed) or cancelled, never moved.
        form.add_error(None, _("A session that has begun is marked, not moved."))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = reschedule_session(
                session,
                by=request.member,
                starts_at=local_moment(data["date"], data["time"], tz),
                duration=form.length,
                room=data["room"],
                keep_room=False,
            )
        except ValidationError as error:
            apply_errors(form, error, SERVICE_FIELDS)
        else:
            messages.success(
                request,
                _("Session of %(client)s moved to %(when)s.")
                % {"client": session.client.full_name, "when": _when(moved.starts_at, tz)},
            )
            return _go(request, safe_next(request, _session_default(moved)))
    return _session_form_page(request, session, "scheduling/reschedule.html", form)


@member_required(permission=roles.CHANGE_CLIENT)
@require_http_methods(["GET", "POST"])
def session_cancel(request: PracticeRequest, pk: int) -> HttpResponse:
    session = get_session_for_member(request.member, pk)
    form = CancelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            cancel_session(
                session,
                by=request.member,
                cancelled_by=form.cleaned_data["cancelled_by"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error, SERVICE_FIELDS)
        else:
            messages.success(
                request,
                _("Session of %(client)s on %(when)s cancelled.")
                % {
                    "client": session.client.full_name,
                    "when": _when(session.starts_at, session.practice.tz),
                },
            )
            return _go(request, safe_next(request, _session_default(session)))
    return _session_form_page(request, session, "scheduling/cancel.html", form)


@member_required(permission=roles.CHANGE_CLIENT)
@require_POST
def session_mark(request: PracticeRequest, pk: int) -> HttpResponse:
    session = get_session_for_member(request.member, pk)
    status = request.POST.get("status", "")
    try:
        marked = mark_session(session, by=request.member, status=status)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("Session of %(client)s on %(when)s: %(status)s.")
            % {
                "client": session.client.full_name,
                "when": _when(session.starts_at, session.practice.tz),
                "status": marked.get_status_display(),
            },
        )
    return _go(request, safe_next(request, _session_default(session)))


# A series: pause and resume.


def _series_default(series: Series) -> str:
    return reverse("clients:card", args=[series.client_id])


@member_required(permission=roles.CHANGE_CLIENT)
@require_http_methods(["GET", "POST"])
def series_pause(request: PracticeRequest, pk: int) -> HttpResponse:
    series = get_series_for_member(request.member, pk)
    form = PauseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = pause_series(series, by=request.member, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_errors(form, error, SERVICE_FIELDS)
        else:
            messages.success(
                request,
                ngettext(
                    "Series paused: %(n)s future session cancelled.",
                    "Series paused: %(n)s future sessions cancelled.",
                    cancelled,
                )
                % {"n": cancelled},
            )
            return _go(request, safe_next(request, _series_default(series)))
    ctx = {
        "series": series,
        "summary": layout.series_summary(series),
        "form": form,
        "to_cancel": selectors.series_sessions_to_come(series),
        "next": safe_next(request, ""),
        "back_url": safe_next(request, _series_default(series)),
    }
    return _page(request, "scheduling/series_pause.html", ctx, partial="form")


@member_required(permission=roles.CHANGE_CLIENT)
@require_http_methods(["GET", "POST"])
def series_resume(request: PracticeRequest, pk: int) -> HttpResponse:
    series = get_series_for_member(request.member, pk)
    form = Form(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            booked = resume_series(series, by=request.member)
        except ValidationError as error:
            apply_errors(form, error, SERVICE_FIELDS)
        else:
            messages.success(
                request,
                ngettext(
                    "Series resumed: %(n)s session booked.",
                    "Series resumed: %(n)s sessions booked.",
                    booked,
                )
                % {"n": booked},
            )
            return _go(request, safe_next(request, _series_default(series)))
    ctx = {
        "series": series,
        "summary": layout.series_summary(series),
        "form": form,
        "to_book": selectors.series_paused_sessions_to_come(series),
        "next": safe_next(request, ""),
        "back_url": safe_next(request, _series_default(series)),
    }
    return _page(request, "scheduling/series_resume.html", ctx, partial="form")


# Removing a session booked by mistake; changing or ending a series from one of its sessions.


@member_required(permission=roles.CHANGE_CLIENT)
@require_http_methods(["GET", "POST"])
def session_remove(request: PracticeRequest, pk: int) -> HttpResponse:
    """A session booked by mistake leaves the agenda (only one still to come: the past is
    history, and is cancelled or marked instead)."""
    session = get_session_for_member(request.member, pk)
    form = Form(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            delete_session(session, by=request.member)
        except ValidationError as error:
            apply_errors(form, error, SERVICE_FIELDS)
        else:
            messages.success(
                request,
                _("Session of %(client)s on %(when)s removed.")
                % {
                    "client": session.client.full_name,
                    "when": _when(session.starts_at, session.practice.tz),
                },
            )
            return _go(request, safe_next(request, _session_default(session)))
    return _session_form_page(request, session, "scheduling/remove.html", form)


def _from_session(request: PracticeRequest, series: Series) -> Session | None:
    """The session of `series` an edit starts from (`from`), if any; another series' or an
    invisible session is a 404."""
    value = request.POST.get("from") or request.GET.get("from") or ""
    if not value:
        return None
    session = get_session_for_member(request.member, value)
    if session.series_id != series.pk:
        raise Http404(_("No such session."))
    return session


def _plan_initial(plan: SeriesPlan) -> dict:
    rule = plan.rule
    return {
        "what": "following",
        "date": plan.start_date,
        "time": plan.at,
        "professional": plan.professional.pk,
        "service": plan.service.pk if plan.service else None,
        "room": plan.room.pk if plan.room else None,
        "animal": plan.animal.pk if plan.animal else None,
        "duration": int(plan.duration.total_seconds() // 60),
        "price": plan.price,
        "repeats": rule.frequency,
        "interval": rule.interval,
        "ends": "count" if rule.count else ("until" if rule.until else "never"),
        "count": rule.count or 10,
        "until": rule.until,
    }


@member_required(permission=roles.CHANGE_CLIENT)
@require_http_methods(["GET", "POST"])
def series_change(request: PracticeRequest, pk: int) -> HttpResponse:
    """Change a series from one of its sessions on ("this and the following"; the series
    splits there) or all its sessions to come, through change_series."""
    series = get_series_for_member(request.member, pk)
    start = _from_session(request, series)
    plan = SeriesPlan.of(series, start)
    form = SeriesChangeForm(
        _posted(request),
        member=request.member,
        from_session=start is not None,
        initial=_plan_initial(plan),
    )
    form.offer_animals(series.client, keep=series.animal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_plan = SeriesPlan(
            start_date=data["date"],
            at=data["time"],
            rule=form.rule,
            professional=data["professional"],
            duration=form.length or plan.duration,
            service=data["service"],
            room=data["room"],
            price=data["price"],
            animal=data.get("animal"),
        )
        following = start is not None and data.get("what") == "following"
        try:
            changed = change_series(
                series, by=request.member, plan=new_plan, from_session=start if following else None
            )
        except ValidationError as error:
            apply_errors(form, error, SERVICE_FIELDS)
        else:
            count = changed.sessions.filter(
                status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now()
            ).count()
            messages.success(
                request,
                ngettext(
                    "Series changed: %(n)s session to come with %(professional)s.",
                    "Series changed: %(n)s sessions to come with %(professional)s.",
                    count,
                )
                % {"n": count, "professional": changed.professional.name},
            )
            return _go(request, safe_next(request, _series_default(series)))
    ctx = {
        "series": series,
        "start": start,
        "summary": layout.series_summary(series),
        "form": form,
        "next": safe_next(request, ""),
        "back_url": safe_next(request, _series_default(series)),
    }
    return _page(request, "scheduling/series_change.html", ctx, partial="form")


@member_required(permission=roles.CHANGE_CLIENT)
@require_http_methods(["GET", "POST"])
def series_end(request: PracticeRequest, pk: int) -> HttpResponse:
    """Remove a series' sessions from one of them on, or all those to come, and end the
    series there (held and cancelled sessions stay as history), through end_series."""
    series = get_series_for_member(request.member, pk)
    start = _from_session(request, series)
    form = SeriesEndForm(
        _posted(request), from_session=start is not None, initial={"what": "following"}
    )
    if request.method == "POST" and form.is_valid():
        following = start is not None and form.cleaned_data["what"] == "following"
        try:
            removed = end_series(
                series, by=request.member, from_session=start if following else None
            )
        except ValidationError as error:
            apply_errors(form, error, SERVICE_FIELDS)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s session removed; the series ends there.",
                    "%(n)s sessions removed; the series ends there.",
                    removed,
                )
                % {"n": removed},
            )
            return _go(request, safe_next(request, _series_default(series)))
    ctx = {
        "series": series,
        "start": start,
        "start_when": _when(start.starts_at, series.practice.tz) if start else "",
        "summary": layout.series_summary(series),
        "form": form,
        "counts": selectors.series_sessions_ahead(series, start),
        "next": safe_next(request, ""),
        "back_url": safe_next(request, _series_default(series)),
    }
    return _page(request, "scheduling/series_end.html", ctx, partial="form")


# The practice's services and rooms (owner and administrator).


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET"])
def service_list(request: PracticeRequest) -> HttpResponse:
    currency = request.practice.currency
    services = selectors.practice_services(request.member)
    for service in services:
        price = service.default_price
        service.price_shown = format_money(price, currency) if price is not None else ""
    return render(request, "scheduling/services.html", {"services": services})


def _service_form(request: PracticeRequest, service=None) -> HttpResponse:
    form = ServiceForm(_posted(request), member=request.member, instance=service)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = save_service(
                by=request.member,
                service=service,
                name=data["name"],
                default_duration=data["default_duration"],
                default_price=data["default_price"],
                is_active=data["is_active"],
                unit=data["unit"],
                tax_rate=data["tax_rate"],
            )
        except ValidationError as error:
            apply_errors(form, error, SERVICE_FIELDS)
        else:
            messages.success(request, _("Service “%s” saved.") % saved.name)
            return redirect("scheduling:services")
    return render(request, "scheduling/service_form.html", {"form": form, "service": service})


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def service_create(request: PracticeRequest) -> HttpResponse:
    return _service_form(request)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def service_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    return _service_form(request, get_service_for_member(request.member, pk))


@member_required(permission=roles.MANAGE_PRACTICE)
@require_POST
def service_active(request: PracticeRequest, pk: int) -> HttpResponse:
    """Deactivate a service (no longer offered when booking; its sessions keep it), or
    offer it again."""
    service = get_service_for_member(request.member, pk)
    active = request.POST.get("active") == "1"
    save_service(
        by=request.member,
        service=service,
        name=service.name,
        default_duration=service.default_duration,
        default_price=service.default_price,
        is_active=active,
    )
    text = _("Service “%s” is offered again.") if active else _("Service “%s” deactivated.")
    messages.success(request, text % service.name)
    return redirect("scheduling:services")


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET"])
def room_list(request: PracticeRequest) -> HttpResponse:
    rooms = selectors.practice_rooms(request.member)
    return render(request, "scheduling/rooms.html", {"rooms": rooms})


def _room_form(request: PracticeRequest, room=None) -> HttpResponse:
    form = RoomForm(_posted(request), member=request.member, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_room(
                by=request.member,
                room=room,
                name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            apply_errors(form, error, SERVICE_FIELDS)
        else:
            messages.success(request, _("Room “%s” saved.") % saved.name)
            return redirect("scheduling:rooms")
    return render(request, "scheduling/room_form.html", {"form": form, "room": room})


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def room_create(request: PracticeRequest) -> HttpResponse:
    return _room_form(request)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def room_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    return _room_form(request, get_room_for_member(request.member, pk))


@member_required(permission=roles.MANAGE_PRACTICE)
@require_POST
def room_active(request: PracticeRequest, pk: int) -> HttpResponse:
    """Deactivate a room (no longer offered when booking; its sessions keep it), or offer
    it again."""
    room = get_room_for_member(request.member, pk)
    active = request.POST.get("active") == "1"
    save_room(by=request.member, room=room, name=room.name, is_active=active)
    text = _("Room “%s” is offered again.") if active else _("Room “%s” deactivated.")
    messages.success(request, text % room.name)
    return redirect("scheduling:rooms")
