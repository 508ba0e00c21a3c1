"""Anamnesis answers: checked per question, kept as revisions, concurrent saves noticed; the
form's questions added, changed, reordered and retired without losing old answers."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Event, EventKind
from intake import selectors
from intake.models import AnamnesisRevision
from intake.services import (
    StaleRevision,
    add_question,
    move_question,
    remove_client_anamnesis,
    save_anamnesis,
    save_group,
    set_question_active,
    update_question,
)
from intake.tests.conftest import ids


def answers(group, **by_text):
    q = ids(group)
    return {q[text]: value for text, value in by_text.items()}


FIRST = {
    "Queixa principal": "Ansiedade no trabalho",
    "Usa medicação?": False,
    "Estado civil": "Casado(a)",
    "Data do último exame": "2026-01-20",
    "Peso (kg)": "72.50",
}


def test_each_save_keeps_a_revision_with_who_and_what(a, ana_client, adult):
    saved = save_anamnesis(
        ana_client, by=a.professional, answers=answers(adult, **FIRST), revision=0
    )
    assert saved.changed
    first = saved.revision
    assert (first.number, first.saved_by, first.group) == (1, a.professional, adult)
    q = ids(adult)
    assert first.answers == {
        q["Queixa principal"]: "Ansiedade no trabalho",
        q["Usa medicação?"]: False,
        q["Estado civil"]: "Casado(a)",
        q["Data do último exame"]: "2026-01-20",
        q["Peso (kg)"]: "72.5",
    }
    second = save_anamnesis(
        ana_client,
        by=a.reception,
        answers=answers(adult, **{**FIRST, "Usa medicação?": True, "Profissão": "Professora"}),
        revision=1,
    ).revision
    assert second.number == 2
    assert AnamnesisRevision.objects.filter(client=ana_client).count() == 2
    events = Event.objects.filter(client=ana_client, kind=EventKind.ANAMNESIS_SAVED)
    assert [e.changes for e in events.order_by("pk")] == [
        {
            "anamnesis_revision": [None, 1],
            "anamnesis_changed": [
                None,
                ["Queixa principal", "Usa medicação?", "Estado civil", "Data do último exame",
                 "Peso (kg)"],
            ],
        },
        {"anamnesis_revision": [1, 2],
         "anamnesis_changed": [None, ["Usa medicação?", "Profissão"]]},
    ]  # fmt: skip


def test_the_history_says_what_changed_between_revisions(a, ana_client, adult):
    save_anamnesis(ana_client, by=a.owner, answers=answers(adult, **FIRST), revision=0)
    changed = {**FIRST, "Usa medicação?": True, "Peso (kg)": 70, "Data do último exame": None}
    save_anamnesis(ana_client, by=a.owner, answers=answers(adult, **changed), revision=1)
    latest, first = selectors.history(ana_client)
    assert latest.revision.number == 2
    assert [(c.question, c.old, c.new) for c in latest.changes] == [
        ("Usa medicação?", "No", "Yes"),
        ("Data do último exame", "2026-01-20", ""),
        ("Peso (kg)", "72.5", "70"),
    ]
    assert len(first.changes) == 5


def test_saving_the_same_answers_keeps_no_new_revision(a, ana_client, adult):
    save_anamnesis(ana_client, by=a.owner, answers=answers(adult, **FIRST), revision=0)
    again = save_anamnesis(
        ana_client,
        by=a.owner,
        answers=answers(adult, **{**FIRST, "Peso (kg)": "72.500"}),
        revision=1,
    )
    assert (again.changed, again.revision.number) == (False, 1)
    assert Event.objects.filter(kind=EventKind.ANAMNESIS_SAVED).count() == 1


def test_a_stale_revision_is_refused_and_nothing_is_written(a, ana_client, adult):
    save_anamnesis(ana_client, by=a.owner, answers=answers(adult, **FIRST), revision=0)
    with pytest.raises(StaleRevision) as stale:
        save_anamnesis(ana_client, by=a.reception, answers=answers(adult, **FIRST), revision=0)
    assert stale.value.current == 1
    assert AnamnesisRevision.objects.count() == 1


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        ({"Queixa principal": ""}, "Queixa principal", "“Queixa principal” needs an answer."),
        ({"Usa medicação?": None}, "Usa medicação?", "“Usa medicação?” needs an answer."),
        ({"Usa medicação?": "sim"}, "Usa medicação?", "“Usa medicação?”: Answer yes or no."),
        ({"Estado civil": "Viúvo"}, "Estado civil", "“Estado civil”: Choose one of: Solteiro(a)"),
        ({"Data do último exame": "20/01/2026"}, "Data do último exame", "Enter a date"),
        ({"Data do último exame": "1850-01-01"}, "Data do último exame", "between 1900 and 2100"),
        ({"Peso (kg)": "setenta"}, "Peso (kg)", "“Peso (kg)”: Enter a number."),
        ({"Peso (kg)": "1e400"}, "Peso (kg)", "at most 12 digits"),
        ({"Peso (kg)": "70.12345"}, "Peso (kg)", "At most 4 decimal places"),
        ({"Peso (kg)": True}, "Peso (kg)", "Enter a number"),
        ({"Profissão": "x" * 501}, "Profissão", "At most 500 characters"),
    ],
)
def test_each_answer_is_checked_naming_the_question(a, ana_client, adult, given, field, words):
    with pytest.raises(ValidationError) as refused:
        save_anamnesis(
            ana_client, by=a.owner, answers=answers(adult, **{**FIRST, **given}), revision=0
        )
    q = ids(adult)
    assert list(refused.value.error_dict) == [f"question_{q[field]}"]
    assert words in refused.value.error_dict[f"question_{q[field]}"][0].message
    assert not AnamnesisRevision.objects.exists()


def test_an_answer_to_another_forms_question_is_refused(a, ana_client, adult):
    other = save_group(by=a.owner, name="Infantil")
    stranger = add_question(by=a.owner, group=other, text="Escola", kind="short_text")
    given = {**answers(adult, **FIRST), str(stranger.pk): "X", "999999": "Y"}
    with pytest.raises(ValidationError) as refused:
        save_anamnesis(ana_client, by=a.owner, answers=given, revision=0)
    assert list(refused.value.error_dict) == ["answers"]


def test_a_retired_question_keeps_its_answer_and_can_be_asked_again(a, ana_client, adult):
    save_anamnesis(ana_client, by=a.owner, answers=answers(adult, **FIRST), revision=0)
    weight = adult.questions.get(text="Peso (kg)")
    assert set_question_active(weight, by=a.admin, active=False)
    current = selectors.current(ana_client)
    assert "Peso (kg)" not in [q.text for q in current.questions]
    kept = [r for r in current.rows if r.retired]
    assert [(r.question, r.shown) for r in kept] == [("Peso (kg)", "72.5")]
    # A new save carries it over, even when the answers no longer mention it.
    given = answers(adult, **{k: v for k, v in FIRST.items() if k != "Peso (kg)"})
    given[ids(adult)["Queixa principal"]] = "Insônia"
    second = save_anamnesis(ana_client, by=a.owner, answers=given, revision=1).revision
    assert second.answers[str(weight.pk)] == "72.5"
    assert set_question_active(weight, by=a.admin, active=True)
    weight.refresh_from_db()
    assert weight.position == max(q.position for q in adult.questions.filter(is_active=True))


def test_a_rewording_leaves_the_old_answers_as_they_were_asked(a, ana_client, adult):
    save_anamnesis(ana_client, by=a.owner, answers=answers(adult, **FIRST), revision=0)
    complaint = adult.questions.get(text="Queixa principal")
    update_question(complaint, by=a.owner, text="Motivo da consulta")
    (entry,) = selectors.history(ana_client)
    assert "Queixa principal" in [row.question for row in entry.rows]
    assert selectors.current(ana_client).rows[0].question == "Motivo da consulta"


def test_questions_are_reordered(a, adult):
    third = adult.questions.get(text="Estado civil")
    assert move_question(third, by=a.owner, up=True)
    order = list(adult.questions.filter(is_active=True).values_list("text", flat=True))
    assert order[:3] == ["Queixa principal", "Estado civil", "Usa medicação?"]
    first = adult.questions.get(text="Queixa principal")
    assert not move_question(first, by=a.owner, up=True)
    last = adult.questions.get(text="Profissão")
    assert not move_question(last, by=a.owner, up=False)


@pytest.mark.parametrize(
    ("choices", "words"),
    [([], "at least two"), (["Sim"], "at least two"), (["A", "A"], "only once")],
)
def test_a_choice_needs_distinct_options(a, adult, choices, words):
    with pytest.raises(ValidationError) as refused:
        add_question(by=a.owner, group=adult, text="Q", kind="choice", choices=choices)
    assert words in refused.value.error_dict["choices"][0].message


def test_only_owners_and_admins_shape_the_forms(a, b, adult):
    question = adult.questions.first()
    for member in (a.reception, a.professional):
        with pytest.raises(PermissionDenied):
            add_question(by=member, group=adult, text="X", kind="short_text")
        with pytest.raises(PermissionDenied):
            set_question_active(question, by=member, active=False)
    with pytest.raises(PermissionDenied):
        update_question(question, by=b.owner, text="Taken over")


def test_a_client_without_a_form_has_nothing_to_save(a):
    joao = a.clients["João da Silva"]
    saved = save_anamnesis(joao, by=a.owner, answers={}, revision=0)
    assert (saved.revision, saved.changed) == (None, False)
    with pytest.raises(ValidationError):
        save_anamnesis(joao, by=a.owner, answers={"1": "x"}, revision=0)


def test_the_lifecycle_removes_a_clients_answers(a, ana_client, adult):
    save_anamnesis(ana_client, by=a.owner, answers=answers(adult, **FIRST), revision=0)
    assert remove_client_anamnesis(ana_client) == 1
    assert not AnamnesisRevision.objects.exists()


def test_a_date_is_stored_as_iso_from_a_form_or_json(a, ana_client, adult):
    given = answers(adult, **{**FIRST, "Data do último exame": datetime.date(2025, 2, 3)})
    saved = save_anamnesis(ana_client, by=a.owner, answers=given, revision=0).revision
    assert saved.answers[ids(adult)["Data do último exame"]] == "2025-02-03"
