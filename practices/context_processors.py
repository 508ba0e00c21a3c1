from django.http import HttpRequest


def practice(request: HttpRequest) -> dict:
    member = getattr(request, "member", None)
    if member is None:
        return {}
    return {
        "practice": member.practice,
        "member": member,
        # For the practice switcher (fetched once by the middleware).
        "memberships": getattr(request, "memberships", [member]),
    }
