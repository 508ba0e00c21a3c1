"""The pages of anamnesis: a client's answers (the card's panel), filling them in and revising
them, their history; and the practice's forms (groups and their questions)."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientbook.http import PracticeRequest, safe_next
from clientbook.lib.forms import apply_errors
from clients.access import get_client_for_user
from clients.models import Client
from intake import selectors
from intake.access import get_group_for_member, get_question_for_member, practice_groups
from intake.forms import AnswersForm, GroupForm, QuestionForm
from intake.models import AnamnesisGroup
from intake.services import (
    StaleRevision,
    add_question,
    move_question,
    save_anamnesis,
    save_group,
    set_question_active,
    update_question,
)
from practices import roles
from practices.access import member_required


def _card(client: Client) -> str:
    return reverse("clients:card", args=[client.pk]) + "#client-anamnesis"


# A client's anamnesis.


@member_required
@require_GET
def client_anamnesis(request: PracticeRequest, client_pk: int) -> HttpResponse:
    """The client's current answers; htmx gets the panel alone (the card loads it so)."""
    client = get_client_for_user(request, client_pk)
    ctx = {
        "client": client,
        "current": selectors.current(client),
        "can_change": request.member.can(roles.CHANGE_CLIENT),
        "can_manage": request.member.can(roles.MANAGE_PRACTICE),
        "next": safe_next(request, reverse("intake:client", args=[client.pk])),
    }
    template = "intake/_panel.html" if request.htmx else "intake/client.html"
    return render(request, template, ctx)


@member_required
@require_http_methods(["GET", "POST"])
def edit(request: PracticeRequest, client_pk: int) -> HttpResponse:
    client = get_client_for_user(request, client_pk, write=True)
    current = selectors.current(client)
    form = AnswersForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_anamnesis(
                client,
                by=request.member,
                answers=form.answers(),
                revision=form.cleaned_data["revision"],
            )
        except StaleRevision as stale:
            # The answers typed stay; the next save goes over the revision now current.
            form.data = form.data.copy()
            form.data["revision"] = str(stale.current)
            form.add_error(
                None,
                _(
                    "Someone saved this anamnesis while you were answering (it is now at "
                    "revision %d). Your answers are still below: compare them with the latest "
                    "in the history, then save again."
                )
                % stale.current,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if saved.changed:
                messages.success(
                    request, _("Anamnesis saved (revision %d).") % saved.revision.number
                )
            else:
                messages.info(request, _("Nothing changed: no new revision was saved."))
            return redirect(safe_next(request, _card(client)))
    ctx = {
        "client": client,
        "current": current,
        "form": form,
        "next": safe_next(request, ""),
        "card_url": _card(client),
        "can_manage": request.member.can(roles.MANAGE_PRACTICE),
    }
    return render(request, "intake/edit.html", ctx)


@member_required
@require_GET
def history(request: PracticeRequest, client_pk: int) -> HttpResponse:
    client = get_client_for_user(request, client_pk)
    ctx = {"client": client, "entries": selectors.history(client), "card_url": _card(client)}
    return render(request, "intake/history.html", ctx)


# The practice's forms (owner and admins).


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def groups(request: PracticeRequest) -> HttpResponse:
    """The practice's anamnesis groups, and a form for a new one."""
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = save_group(by=request.member, name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The group “%s” was created: add its questions.") % group)
            return redirect("intake:group", pk=group.pk)
    rows = practice_groups(request.member).order_by("name")
    ctx = {"groups": rows, "form": form}
    return render(request, "intake/groups.html", ctx)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def group(request: PracticeRequest, pk: int) -> HttpResponse:
    """A group's questions, in order (asked, then retired), and its name."""
    found = get_group_for_member(request.member, pk)
    form = GroupForm(request.POST or None, instance=copy.copy(found))
    if request.method == "POST" and form.is_valid():
        try:
            save_group(by=request.member, group=found, name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("intake:group", pk=found.pk)
    return render(request, "intake/group.html", _group_ctx(found, form))


def _group_ctx(found: AnamnesisGroup, form: GroupForm) -> dict:
    questions = list(found.questions.order_by("-is_active", "position", "pk"))
    return {
        "group": found,
        "form": form,
        "asked": [q for q in questions if q.is_active],
        "retired": [q for q in questions if not q.is_active],
        "question_form": QuestionForm(),
    }


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def question_add(request: PracticeRequest, group_pk: int) -> HttpResponse:
    found = get_group_for_member(request.member, group_pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_question(by=request.member, group=found, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The question was added."))
            return redirect(reverse("intake:group", args=[found.pk]) + "#questions")
    ctx = {"group": found, "form": form, "question": None}
    return render(request, "intake/question_form.html", ctx)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def question_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    question = get_question_for_member(request.member, pk)
    form = QuestionForm(request.POST or None, instance=copy.copy(question))
    if request.method == "POST" and form.is_valid():
        try:
            update_question(question, by=request.member, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(reverse("intake:group", args=[question.group_id]) + "#questions")
    ctx = {"group": question.group, "form": form, "question": question}
    return render(request, "intake/question_form.html", ctx)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_POST
def question_move(request: PracticeRequest, pk: int) -> HttpResponse:
    question = get_question_for_member(request.member, pk)
    move_question(question, by=request.member, up=request.POST.get("direction") != "down")
    return redirect(reverse("intake:group", args=[question.group_id]) + f"#question-{pk}")


@member_required(permission=roles.MANAGE_PRACTICE)
@require_POST
def question_active(request: PracticeRequest, pk: int) -> HttpResponse:
    question = get_question_for_member(request.member, pk)
    active = request.POST.get("active") in ("1", "true", "on")
    if set_question_active(question, by=request.member, active=active):
        if active:
            messages.success(request, _("“%s” is asked again, at the end of the form.") % question)
        else:
            messages.success(
                request,
                _("“%s” is retired: no longer asked; the answers given stay in the history.")
                % question,
            )
    return redirect(reverse("intake:group", args=[question.group_id]) + "#questions")
