"""Anamnesis URLs for the route inventory (clientbook/tests/test_routes.py): how to build each
for practice A's data, what practice B's owner must (not) see on the URLs without an id of A's,
and the rows that must not change."""

from collections.abc import Callable

from django.test import Client as HttpClient
from django.urls import reverse

from clientbook.testing import PracticeWorld
from clients.models import Client
from intake.models import AnamnesisGroup, AnamnesisQuestion, AnamnesisRevision

Requests = Callable[[PracticeWorld], list[tuple[str, dict]]]

QUESTION = {"text": "Taken over", "kind": "short_text", "choices": "", "help_text": ""}


def intake_rows() -> tuple:
    return (
        list(AnamnesisGroup.objects.order_by("pk").values_list("pk", "practice_id", "name")),
        list(
            AnamnesisQuestion.objects.order_by("pk").values_list(
                "pk", "group_id", "position", "text", "kind", "is_active"
            )
        ),
        list(
            AnamnesisRevision.objects.order_by("pk").values_list(
                "pk", "client_id", "number", "answers"
            )
        ),
    )


def _group(a: PracticeWorld) -> AnamnesisGroup:
    group, created = AnamnesisGroup.objects.get_or_create(practice=a.practice, name="Adulto")
    if created:
        for position, text in enumerate(["Queixa", "Medicação"], start=1):
            AnamnesisQuestion.objects.create(
                practice=a.practice, group=group, position=position, text=text
            )
    return group


def each_client(url_name: str) -> Requests:
    """Every client of A, each with a form whose first question is answered in the payload."""

    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        group = _group(a)
        Client.objects.filter(pk__in=[c.pk for c in a.clients.values()]).update(
            anamnesis_group=group
        )
        first = group.questions.order_by("position").first()
        payload = {"revision": 0, first.field_name: "Taken over"}
        return [(reverse(url_name, args=[c.pk]), payload) for c in a.clients.values()]

    return build


def each_group(url_name: str, **payload) -> Requests:
    return lambda a: [(reverse(url_name, args=[_group(a).pk]), payload)]


def each_question(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        return [(reverse(url_name, args=[q.pk]), payload) for q in _group(a).questions.all()]

    return build


def groups_page() -> Requests:
    return lambda a: [(reverse("intake:groups"), {"name": "Taken over"})]


def groups_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    _group(a)
    theirs = AnamnesisGroup.objects.create(practice=b.practice, name="Pies")
    response = http.get(reverse("intake:groups"))
    assert list(response.context["groups"]) == [theirs]
    assert "Adulto" not in response.content.decode()
    assert http.post(reverse("intake:groups"), {"name": "Adulto"}).status_code == 302
    assert AnamnesisGroup.objects.filter(name="Adulto").count() == 2  # B's own, beside A's
