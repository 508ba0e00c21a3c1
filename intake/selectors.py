"""A client's anamnesis as the pages and the API read it: the current answers, and the history
of revisions with what changed in each."""

from dataclasses import dataclass, field

from clients.models import Client
from intake import answers as answer_rules
from intake.models import AnamnesisGroup, AnamnesisQuestion, AnamnesisRevision
from intake.services import asked_questions, latest_revision, snapshot_order


@dataclass
class AnswerRow:
    key: str  # the question's id, as text
    question: str
    kind: str
    value: object  # as stored
    shown: str  # as read
    required: bool = False
    retired: bool = False


@dataclass
class Current:
    group: AnamnesisGroup | None
    revision: AnamnesisRevision | None
    questions: list[AnamnesisQuestion]
    rows: list[AnswerRow]
    # The latest revision answered another form (the card's group was changed since).
    other_form: bool = False

    @property
    def number(self) -> int:
        return self.revision.number if self.revision else 0

    @property
    def answered(self) -> int:
        return sum(1 for row in self.rows if row.shown and not row.retired)


def current(client: Client) -> Current:
    """The questions of the card's group with the latest answers; answers kept for retired
    questions after them. Three queries: the latest revision, the questions, and the group
    (unless the client was fetched with it, as clients.access does)."""
    group = client.anamnesis_group
    latest = latest_revision(client)
    questions = asked_questions(group)
    same = latest is not None and group is not None and latest.group_id == group.pk
    stored = latest.answers if same else {}
    rows = [
        AnswerRow(
            str(q.pk),
            q.text,
            q.kind,
            stored.get(str(q.pk)),
            answer_rules.display(q.kind, stored.get(str(q.pk))),
            required=q.required,
        )
        for q in questions
    ]
    asked = {str(q.pk) for q in questions}
    kept = latest.questions if latest is not None else {}
    for key in snapshot_order({k: kept.get(k, {}) for k in stored if k not in asked}):
        value = stored[key]
        asked_as = {"text": "?", "kind": "short_text", **kept.get(key, {})}
        shown = answer_rules.display(asked_as["kind"], value)
        rows.append(AnswerRow(key, asked_as["text"], asked_as["kind"], value, shown, retired=True))
    return Current(group, latest, questions, rows, other_form=latest is not None and not same)


@dataclass
class HistoryEntry:
    revision: AnamnesisRevision
    changes: list[answer_rules.Change]
    rows: list[AnswerRow] = field(default_factory=list)


def history(client: Client) -> list[HistoryEntry]:
    """Every revision, newest first, with what changed since the one before it (all of its
    answers for the first of a form) and all of its answers. One query."""
    revisions = list(client.anamnesis_revisions.order_by("number"))
    entries = []
    before: AnamnesisRevision | None = None
    for revision in revisions:
        previous = before.answers if before and before.group_id == revision.group_id else {}
        order = snapshot_order(revision.questions)
        entries.append(
            HistoryEntry(
                revision,
                answer_rules.changes(previous, revision.answers, revision.questions, order),
                [
                    AnswerRow(
                        key,
                        asked["text"],
                        asked["kind"],
                        revision.answers.get(key),
                        answer_rules.display(asked["kind"], revision.answers.get(key)),
                    )
                    for key in order
                    if key in revision.answers
                    for asked in [revision.questions[key]]
                ],
            )
        )
        before = revision
    return entries[::-1]
