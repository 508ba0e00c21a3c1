"""Animals' URLs for the route inventory (clientbook/tests/test_routes.py): how to build each
for practice A's data, and the rows that must not change."""

from collections.abc import Callable

from django.urls import reverse

from clientbook.testing import PracticeWorld
from pets.models import Animal

Requests = Callable[[PracticeWorld], list[tuple[str, dict]]]

ANIMAL = {"name": "Taken over", "species": "cat", "sex": "female", "microchip": "616093900000001"}


def animal_rows() -> list:
    return list(
        Animal.objects.order_by("pk").values_list(
            "pk", "practice_id", "client_id", "name", "species", "microchip", "is_active"
        )
    )


def each_client(url_name: str, **payload) -> Requests:
    return lambda a: [(reverse(url_name, args=[c.pk]), payload) for c in a.clients.values()]


def each_animal(url_name: str, **payload) -> Requests:
    """An animal for each of A's clients."""

    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        made = [
            Animal.objects.create(practice=a.practice, client=client, name="Rex", species="dog")
            for client in a.clients.values()
        ]
        return [(reverse(url_name, args=[animal.pk]), payload) for animal in made]

    return build
