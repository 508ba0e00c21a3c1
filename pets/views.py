"""The pages of animals: add one to a client, edit it, mark one or all inactive or active."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from clientbook.http import PracticeRequest
from clientbook.lib.forms import apply_errors
from clients.access import get_client_for_user
from clients.models import Client
from pets.access import get_animal_for_member
from pets.forms import AnimalForm
from pets.models import Animal
from pets.services import add_animal, set_animals_active, update_animal
from practices.access import member_required


def _card(client: Client) -> str:
    return reverse("clients:card", args=[client.pk]) + "#client-animals"


@member_required
@require_http_methods(["GET", "POST"])
def add(request: PracticeRequest, client_pk: int) -> HttpResponse:
    client = get_client_for_user(request, client_pk, write=True)
    form = AnimalForm(request.POST or None, instance=Animal(client=client))
    if request.method == "POST" and form.is_valid():
        try:
            animal = add_animal(by=request.member, client=client, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%s was added.") % animal.name)
            return redirect(_card(client))
    ctx = {"client": client, "form": form, "animal": None, "card_url": _card(client)}
    return render(request, "pets/form.html", ctx)


@member_required
@require_http_methods(["GET", "POST"])
def edit(request: PracticeRequest, pk: int) -> HttpResponse:
    animal = get_animal_for_member(request.member, pk, write=True)
    client = animal.client
    # A copy: validating writes the typed values into the instance, and update_animal reads
    # the animal as it was for the history.
    form = AnimalForm(request.POST or None, instance=copy.copy(animal))
    if request.method == "POST" and form.is_valid():
        try:
            update_animal(animal, by=request.member, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(_card(client))
    ctx = {"client": client, "form": form, "animal": animal, "card_url": _card(client)}
    return render(request, "pets/form.html", ctx)


def _wants_active(request: PracticeRequest) -> bool:
    return request.POST.get("active") in ("1", "true", "on")


@member_required
@require_POST
def active(request: PracticeRequest, pk: int) -> HttpResponse:
    animal = get_animal_for_member(request.member, pk, write=True)
    wanted = _wants_active(request)
    try:
        set_animals_active(animal, by=request.member, active=wanted)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if wanted:
            messages.success(request, _("%s is active again.") % animal.name)
        else:
            messages.success(request, _("%s was marked inactive.") % animal.name)
    return redirect(_card(animal.client))


@member_required
@require_POST
def client_active(request: PracticeRequest, client_pk: int) -> HttpResponse:
    client = get_client_for_user(request, client_pk, write=True)
    wanted = _wants_active(request)
    try:
        count = set_animals_active(client, by=request.member, active=wanted)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if wanted:
            text = ngettext(
                "%(count)d animal is active again.", "%(count)d animals are active again.", count
            )
        else:
            text = ngettext(
                "%(count)d animal was marked inactive.",
                "%(count)d animals were marked inactive.",
                count,
            )
        messages.success(request, text % {"count": count})
    return redirect(_card(client))
