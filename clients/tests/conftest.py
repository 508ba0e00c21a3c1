import pytest

from practices.services import set_user_language


@pytest.fixture
def english(a, b):
    """The personas read English, so a test can quote the page's words (practice A works in
    Brazilian Portuguese, practice B in Polish)."""
    for world in (a, b):
        for member in (world.owner, world.admin, world.reception, world.professional):
            if member is not None:
                set_user_language(member.user, "en")
