from django.http import HttpRequest

from practices.models import Member


def practice(request: HttpRequest) -> dict:
    member = getattr(request, "member", None)
    if member is None:
        return {}
    return {
        "practice": member.practice,
        "member": member,
        # For the practice switcher; a user rarely has more than a few memberships.
        "memberships": Member.objects.filter(user=member.user, is_active=True)
        .select_related("practice")
        .order_by("practice__name"),
    }
