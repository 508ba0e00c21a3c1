"""Every operation that changes anamnesis forms and answers. Pages and the API call these.

The practice's owner and admins shape the forms (groups and their questions); whoever may
change a client fills in and revises the client's anamnesis. Each save keeps a new revision,
and records "anamnesis.saved" on the client's timeline.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit.models import EventKind
from audit.services import record_event
from clients.models import Client, Status
from clients.services import check_can_change_client
from intake import answers as answer_rules
from intake.models import AnamnesisGroup, AnamnesisQuestion, AnamnesisRevision, QuestionKind
from practices import roles
from practices.models import Member

QUESTION_FIELDS = ("text", "kind", "choices", "required", "help_text")


class StaleRevision(Exception):
    """The anamnesis was saved by someone else since the revision the caller read."""

    def __init__(self, current: int):
        super().__init__(current)
        self.current = current


@dataclass
class Saved:
    revision: AnamnesisRevision | None  # the latest revision (None: nothing ever saved)
    changed: bool  # False: the answers were those of the latest revision; nothing was saved


# The forms: groups and questions (owner and admins).


def _check_manage(by: Member, *rows) -> None:
    if not by.can(roles.MANAGE_PRACTICE):
        raise PermissionDenied(_("Your role does not allow this."))
    if any(row.practice_id != by.practice_id for row in rows):
        raise PermissionDenied


def _form_changed(by: Member, group: AnamnesisGroup, action: str, **data: Any) -> None:
    record_event(
        practice=by.practice,
        by=by,
        kind=EventKind.ANAMNESIS_FORM_CHANGED,
        data={"group": group.pk, "group_name": group.name, "action": action, **data},
    )


def save_group(*, by: Member, name: str, group: AnamnesisGroup | None = None) -> AnamnesisGroup:
    """Create an anamnesis group, or rename one; names are unique in the practice."""
    if group is not None:
        _check_manage(by, group)
    else:
        _check_manage(by)
    name = " ".join(name.split())
    if "\x00" in name:
        raise ValidationError({"name": _("This text contains a NUL character.")})
    group = group or AnamnesisGroup(practice_id=by.practice_id)
    created, before = group.pk is None, group.name
    group.name = name
    group.full_clean(exclude=["practice"], validate_constraints=False)
    taken = _("The practice already has an anamnesis group of this name.")
    others = AnamnesisGroup.objects.filter(practice_id=by.practice_id, name=name)
    if others.exclude(pk=group.pk).exists():
        raise ValidationError({"name": taken})
    try:
        with transaction.atomic():
            group.save()
            _form_changed(
                by, group, "group_created" if created else "group_renamed",
                **({} if created else {"was": before}),
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError({"name": taken}) from None
    return group


def _clean_question(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    cleaned = dict(fields)
    for name in ("text", "help_text"):
        if name in cleaned:
            cleaned[name] = " ".join(str(cleaned[name]).split())
            if "\x00" in cleaned[name]:
                raise ValidationError({name: _("This text contains a NUL character.")})
    if "choices" in cleaned:
        options = [" ".join(str(c).split()) for c in cleaned["choices"] or []]
        cleaned["choices"] = [c for c in options if c]
    return cleaned


def _check_choices(question: AnamnesisQuestion) -> None:
    if question.kind != QuestionKind.CHOICE:
        question.choices = []
        return
    options = question.choices
    if len(options) < 2:
        raise ValidationError({"choices": _("Give at least two options, one per line.")})
    if len(options) > answer_rules.MAX_CHOICES:
        raise ValidationError({"choices": _("At most %d options.") % answer_rules.MAX_CHOICES})
    if any("\x00" in c for c in options):
        raise ValidationError({"choices": _("This text contains a NUL character.")})
    long = [c for c in options if len(c) > answer_rules.CHOICE_LENGTH]
    if long:
        raise ValidationError(
            {
                "choices": _("An option may have at most %(max)d characters: “%(option)s”.")
                % {"max": answer_rules.CHOICE_LENGTH, "option": long[0][:40] + "…"}
            }
        )
    if len(set(options)) != len(options):
        raise ValidationError({"choices": _("Each option may appear only once.")})


@transaction.atomic
def add_question(*, by: Member, group: AnamnesisGroup, **fields: Any) -> AnamnesisQuestion:
    """Add a question at the end of the group's form."""
    _check_manage(by, group)
    cleaned = _clean_question(fields)
    # Lock the group: two questions added at once get different positions.
    AnamnesisGroup.objects.select_for_update().filter(pk=group.pk).first()
    last = group.questions.aggregate(last=Max("position"))["last"] or 0
    question = AnamnesisQuestion(
        practice_id=group.practice_id, group=group, position=last + 1, **cleaned
    )
    _check_choices(question)
    question.full_clean(exclude=["practice", "group"])
    question.save()
    _form_changed(by, group, "question_added", question=question.pk, text=question.text)
    return question


@transaction.atomic
def update_question(question: AnamnesisQuestion, *, by: Member, **fields: Any):
    """Change a question's text, kind, options, whether it is required, its help. Answers
    already given keep the question as it was asked (each revision keeps its questions)."""
    _check_manage(by, question)
    cleaned = _clean_question(fields)
    locked = AnamnesisQuestion.objects.select_for_update().get(pk=question.pk)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    _check_choices(locked)
    locked.full_clean(exclude=["practice", "group"])
    locked.save(update_fields={*cleaned, "choices"})
    _form_changed(by, question.group, "question_changed", question=locked.pk, text=locked.text)
    return locked


@transaction.atomic
def move_question(question: AnamnesisQuestion, *, by: Member, up: bool) -> bool:
    """Move an asked question one place up or down among the asked questions of its group.
    False when it is already first (last)."""
    _check_manage(by, question)
    group = question.group
    AnamnesisGroup.objects.select_for_update().filter(pk=group.pk).first()
    ordered = list(group.questions.filter(is_active=True).order_by("position", "pk"))
    index = next((i for i, q in enumerate(ordered) if q.pk == question.pk), None)
    target = None if index is None else index - 1 if up else index + 1
    if target is None or not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    retired = list(group.questions.filter(is_active=False).order_by("position", "pk"))
    # Positions 1…n for the asked questions, then the retired ones: a clean sequence each time.
    for position, row in enumerate([*ordered, *retired], start=1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    _form_changed(
        by, group, "question_moved", question=question.pk, direction="up" if up else "down"
    )
    return True


@transaction.atomic
def set_question_active(question: AnamnesisQuestion, *, by: Member, active: bool) -> bool:
    """Retire a question (no longer asked; its answers stay in the history) or ask it again,
    at the end of the form. False when it already was."""
    _check_manage(by, question)
    locked = AnamnesisQuestion.objects.select_for_update().get(pk=question.pk)
    if locked.is_active == active:
        return False
    locked.is_active = active
    fields = ["is_active"]
    if active:
        last = locked.group.questions.filter(is_active=True).aggregate(last=Max("position"))
        locked.position = (last["last"] or 0) + 1
        fields.append("position")
    locked.save(update_fields=fields)
    _form_changed(
        by,
        locked.group,
        "question_restored" if active else "question_retired",
        question=locked.pk,
        text=locked.text,
    )
    return True


# A client's answers.


def asked_questions(group: AnamnesisGroup | None) -> list[AnamnesisQuestion]:
    if group is None:
        return []
    return list(group.questions.filter(is_active=True).order_by("position", "pk"))


def latest_revision(client: Client) -> AnamnesisRevision | None:
    return client.anamnesis_revisions.order_by("-number").first()


def _snapshot(question: AnamnesisQuestion) -> dict[str, Any]:
    return {"text": question.text, "kind": question.kind, "position": question.position}


def snapshot_order(questions: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The ids of a revision's questions in the order they were asked (a JSON object's keys
    have no order in PostgreSQL's jsonb)."""
    return sorted(questions, key=lambda k: (questions[k].get("position", 0), int(k)))


@transaction.atomic
def save_anamnesis(
    client: Client, *, by: Member, answers: Mapping[str | int, Any], revision: int
) -> Saved:
    """Save the client's answers to the questions of the group the card names, as a new
    revision, if anything changed. `answers` maps question ids to answers (see
    intake.answers); a question not in `answers` is left unanswered. Answers kept for retired
    questions carry over from the latest revision.

    `revision`: the number of the latest revision the caller read (0: none). If someone saved
    since, nothing is written and StaleRevision says the current number. Refused with a
    ValidationError naming each question ("question_<id>") whose answer is wrong or missing,
    or `answers` for an id that is not a question of the form."""
    check_can_change_client(client, by)
    # Lock the client: saves of one anamnesis happen one after the other, each numbered.
    locked = Client.objects.select_for_update().get(pk=client.pk, practice_id=by.practice_id)
    latest = latest_revision(locked)
    current = latest.number if latest else 0
    if revision != current:
        raise StaleRevision(current)
    if locked.status == Status.FORGOTTEN:
        raise ValidationError({"answers": _("A forgotten client's anamnesis cannot change.")})
    group = locked.anamnesis_group
    questions = asked_questions(group)
    given = {str(k): v for k, v in answers.items()}
    by_id = {str(q.pk): q for q in questions}
    retired = (
        {str(pk) for pk in group.questions.filter(is_active=False).values_list("pk", flat=True)}
        if group is not None
        else set()
    )
    unknown = sorted(set(given) - set(by_id) - retired)
    if unknown:
        raise ValidationError(
            {"answers": _("Not questions of this form: %s.") % ", ".join(unknown)}
        )
    errors: dict[str, str] = {}
    new: dict[str, Any] = {}
    for key, question in by_id.items():
        try:
            value = answer_rules.clean(question.kind, given.get(key), question.choices)
        except answer_rules.Invalid as invalid:
            errors[question.field_name] = f"“{question.text}”: {invalid}"
            continue
        if value is None and question.required:
            errors[question.field_name] = _("“%s” needs an answer.") % question.text
        new[key] = value
    if errors:
        raise ValidationError(errors)
    same_group = latest is not None and group is not None and latest.group_id == group.pk
    before = latest.answers if same_group else {}
    kept_questions = latest.questions if same_group else {}
    for key in retired & set(before):
        new[key] = before[key]  # a retired question's answer stays as it was
    stored = {k: v for k, v in new.items() if v is not None}
    if same_group and stored == before:
        return Saved(latest, changed=False)
    if not stored and not same_group:
        return Saved(latest, changed=False)  # nothing answered, nothing to keep
    snapshot = {k: kept_questions[k] for k in stored if k in kept_questions and k not in by_id}
    snapshot |= {key: _snapshot(q) for key, q in by_id.items()}
    saved = AnamnesisRevision.objects.create(
        practice_id=locked.practice_id,
        client=locked,
        group=group,
        group_name=group.name if group is not None else "",
        number=current + 1,
        answers=stored,
        questions=snapshot,
        saved_by=by,
        saved_by_label=str(by.user),
    )
    changed = answer_rules.changes(before, stored, snapshot, list(by_id))
    record_event(
        practice=locked.practice,
        client=locked,
        by=by,
        kind=EventKind.ANAMNESIS_SAVED,
        data={"revision": saved.number, "group": group.pk if group is not None else None},
        changes={
            "anamnesis_revision": [current or None, saved.number],
            **({"anamnesis_changed": [None, [c.question for c in changed]]} if changed else {}),
        },
    )
    return Saved(saved, changed=True)


@transaction.atomic
def remove_client_anamnesis(client: Client) -> int:
    """Remove every anamnesis revision of `client` (health data): for the lifecycle (#5),
    forgetting or deleting a client. The caller checks the rights and records its own event.
    Returns how many revisions were removed."""
    return AnamnesisRevision.objects.filter(
        practice_id=client.practice_id, client_id=client.pk
    ).delete()[0]
