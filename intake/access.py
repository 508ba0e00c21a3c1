"""The one way to fetch a practice's anamnesis groups and questions for a member: another
practice's is a 404. (A client's answers are reached through the client: clients.access.)"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from intake.models import AnamnesisGroup, AnamnesisQuestion
from practices.models import Member


def practice_groups(member: Member) -> QuerySet[AnamnesisGroup]:
    return AnamnesisGroup.objects.filter(practice_id=member.practice_id)


def get_group_for_member(member: Member, pk: int | str) -> AnamnesisGroup:
    try:
        return practice_groups(member).get(pk=pk)
    except (AnamnesisGroup.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such anamnesis group.")) from None


def get_question_for_member(member: Member, pk: int | str) -> AnamnesisQuestion:
    try:
        return AnamnesisQuestion.objects.select_related("group").get(
            practice_id=member.practice_id, pk=pk
        )
    except (AnamnesisQuestion.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such question.")) from None
