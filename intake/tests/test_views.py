"""The anamnesis pages: the card's panel, filling in and revising, the history, and the
practice's forms; each with its tenancy checks."""

import pytest
from django.urls import reverse

from audit.models import Event
from clientbook.testing import logged_in
from clients.models import Client
from intake.models import AnamnesisGroup, AnamnesisQuestion, AnamnesisRevision
from intake.services import save_anamnesis
from intake.tests.conftest import ids, make_form
from intake.tests.routes import QUESTION, intake_rows
from practices import roles
from practices.models import Role


def card(client) -> str:
    return reverse("clients:card", args=[client.pk])


def form_data(group, revision: int = 0, **by_text) -> dict:
    q = ids(group)
    data = {"revision": revision}
    for text, value in by_text.items():
        data[f"question_{q[text]}"] = value
    return data


FILLED = {
    "Queixa principal": "Ansiedade",
    "Usa medicação?": "no",
    "Estado civil": "Outro",
    "Data do último exame": "2026-03-01",
    "Peso (kg)": "68.4",
    "Profissão": "Engenheira",
}


def test_the_card_loads_an_anamnesis_panel_only_for_a_client_with_a_form(a, ana_client):
    http = logged_in(a.reception)
    page = http.get(card(ana_client)).content.decode()
    panel_url = reverse("intake:client", args=[ana_client.pk])
    assert f'hx-get="{panel_url}?next=' in page
    assert "Adulto" in page
    joao = a.clients["João da Silva"]
    assert 'id="client-anamnesis"' not in http.get(card(joao)).content.decode()
    panel = http.get(panel_url, headers={"HX-Request": "true"}).content.decode()
    assert "Not filled in yet." in panel
    assert "Fill in the anamnesis" in panel


def test_filling_in_and_revising_keeps_revisions(a, ana_client, adult):
    http = logged_in(a.professional)  # Ana's own client
    url = reverse("intake:edit", args=[ana_client.pk])
    page = http.get(url)
    assert page.status_code == 200
    assert "Usa medicação?" in page.content.decode()
    response = http.post(url, form_data(adult, **FILLED))
    assert response.status_code == 302
    assert response["Location"] == card(ana_client) + "#client-anamnesis"
    first = AnamnesisRevision.objects.get()
    assert first.answers[ids(adult)["Peso (kg)"]] == "68.4"
    assert first.answers[ids(adult)["Usa medicação?"]] is False
    # The form opens with the latest answers; a change makes revision 2.
    form = http.get(url).context["form"]
    assert form.initial[f"question_{ids(adult)['Queixa principal']}"] == "Ansiedade"
    assert form["revision"].value() == 1
    http.post(url, form_data(adult, revision=1, **{**FILLED, "Usa medicação?": "yes"}))
    assert AnamnesisRevision.objects.count() == 2
    panel = http.get(reverse("intake:client", args=[ana_client.pk])).content.decode()
    assert "Revision 2" in panel
    assert "Engenheira" in panel
    history = http.get(reverse("intake:history", args=[ana_client.pk])).content.decode()
    assert "Revision 1" in history
    assert "<del>No</del> → <ins>Yes</ins>" in history


def test_errors_name_the_question_and_nothing_is_written(a, ana_client, adult):
    url = reverse("intake:edit", args=[ana_client.pk])
    response = logged_in(a.reception).post(
        url,
        form_data(
            adult, **{**FILLED, "Queixa principal": "", "Peso (kg)": "muito", "Estado civil": "X"}
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    q = ids(adult)
    assert errors[f"question_{q['Peso (kg)']}"] == ["“Peso (kg)”: enter a number."]
    assert errors[f"question_{q['Estado civil']}"] == ["“Estado civil”: choose one of the options."]
    response = logged_in(a.reception).post(
        url, form_data(adult, **{**FILLED, "Queixa principal": ""})
    )
    errors = response.context["form"].errors
    assert errors == {f"question_{q['Queixa principal']}": ["“Queixa principal” needs an answer."]}
    assert f'id="id_question_{q["Queixa principal"]}_error"' in response.content.decode()
    assert not AnamnesisRevision.objects.exists()


def test_a_concurrent_save_is_noticed_and_the_typed_answers_stay(a, ana_client, adult):
    url = reverse("intake:edit", args=[ana_client.pk])
    answers = {
        ids(adult)[k]: v for k, v in {"Queixa principal": "X", "Usa medicação?": True}.items()
    }
    save_anamnesis(ana_client, by=a.owner, answers=answers, revision=0)
    response = logged_in(a.reception).post(url, form_data(adult, revision=0, **FILLED))
    assert response.status_code == 200
    assert "revision 1" in str(response.context["form"].non_field_errors())
    assert response.context["form"]["revision"].value() == "1"
    assert AnamnesisRevision.objects.count() == 1


def test_a_number_is_read_and_shown_the_users_way(a, ana_client, adult):
    a.reception.user.language = "pt-br"
    a.reception.user.save(update_fields=["language"])
    http = logged_in(a.reception)
    url = reverse("intake:edit", args=[ana_client.pk])
    http.post(url, form_data(adult, **{**FILLED, "Peso (kg)": "68,4"}))
    assert AnamnesisRevision.objects.get().answers[ids(adult)["Peso (kg)"]] == "68.4"
    panel = http.get(reverse("intake:client", args=[ana_client.pk])).content.decode()
    assert "68,4" in panel


# The practice's forms.


def test_an_admin_builds_a_form(a):
    http = logged_in(a.admin)
    response = http.post(reverse("intake:groups"), {"name": "Casal"})
    group = AnamnesisGroup.objects.get(name="Casal")
    assert response["Location"] == reverse("intake:group", args=[group.pk])
    add = reverse("intake:question_add", args=[group.pk])
    http.post(add, {"text": "Há quanto tempo juntos?", "kind": "number", "required": "on"})
    http.post(add, {"text": "Filhos?", "kind": "yes_no"})
    response = http.post(add, {"text": "Quem procurou?", "kind": "choice", "choices": "Ele"})
    assert "at least two" in response.context["form"].errors["choices"][0]
    http.post(add, {"text": "Quem procurou?", "kind": "choice", "choices": "Ele\nEla\n\nAmbos"})
    questions = list(group.questions.order_by("position"))
    assert [(q.text, q.position) for q in questions] == [
        ("Há quanto tempo juntos?", 1), ("Filhos?", 2), ("Quem procurou?", 3)
    ]  # fmt: skip
    assert questions[2].choices == ["Ele", "Ela", "Ambos"]
    move = reverse("intake:question_move", args=[questions[2].pk])
    http.post(move, {"direction": "up"})
    http.post(reverse("intake:question_active", args=[questions[0].pk]), {"active": "0"})
    page = http.get(reverse("intake:group", args=[group.pk]))
    assert [q.text for q in page.context["asked"]] == ["Quem procurou?", "Filhos?"]
    assert [q.text for q in page.context["retired"]] == ["Há quanto tempo juntos?"]
    edit = reverse("intake:question_edit", args=[questions[1].pk])
    http.post(edit, {"text": "Tem filhos?", "kind": "yes_no", "required": "on"})
    questions[1].refresh_from_db()
    assert (questions[1].text, questions[1].required) == ("Tem filhos?", True)
    http.post(reverse("intake:group", args=[group.pk]), {"name": "Casal (terapia)"})
    group.refresh_from_db()
    assert group.name == "Casal (terapia)"


# Tenancy and roles.


def test_another_practice_gets_404_for_every_client_and_changes_nothing(a, b, adult):
    Client.objects.filter(practice=a.practice).update(anamnesis_group=adult)
    before = (intake_rows(), Event.objects.count())
    http = logged_in(b.owner)
    for client in a.clients.values():
        for name in ("client", "edit", "history"):
            url = reverse(f"intake:{name}", args=[client.pk])
            assert http.get(url).status_code == 404
            assert http.post(url, form_data(adult, **FILLED)).status_code in (404, 405)
    assert (intake_rows(), Event.objects.count()) == before


def test_another_practice_sees_only_its_own_forms_and_gets_404_for_others(a, b, adult):
    theirs = make_form(b, "Pies")
    before = (intake_rows(), Event.objects.count())
    http = logged_in(b.owner)
    assert list(http.get(reverse("intake:groups")).context["groups"]) == [theirs]
    assert http.get(reverse("intake:group", args=[adult.pk])).status_code == 404
    assert http.post(reverse("intake:group", args=[adult.pk]), {"name": "X"}).status_code == 404
    add = reverse("intake:question_add", args=[adult.pk])
    assert http.post(add, QUESTION).status_code == 404
    for question in adult.questions.all():
        for name, data in [
            ("question_edit", QUESTION), ("question_move", {"direction": "down"}),
            ("question_active", {"active": "0"}),
        ]:  # fmt: skip
            assert http.post(reverse(f"intake:{name}", args=[question.pk]), data).status_code == 404
    assert (intake_rows(), Event.objects.count()) == before


def test_a_professional_gets_404_for_a_colleagues_client(a, adult):
    colleagues = a.clients["João da Silva"]
    Client.objects.filter(pk=colleagues.pk).update(anamnesis_group=adult)
    before = (intake_rows(), Event.objects.count())
    http = logged_in(a.professional)
    for name in ("client", "edit", "history"):
        assert http.get(reverse(f"intake:{name}", args=[colleagues.pk])).status_code == 404
    edit = reverse("intake:edit", args=[colleagues.pk])
    assert http.post(edit, form_data(adult, **FILLED)).status_code == 404
    assert (intake_rows(), Event.objects.count()) == before


def test_a_role_without_the_right_to_change_reads_but_gets_403_for_answering(
    a, ana_client, adult, monkeypatch
):
    monkeypatch.setitem(
        roles._ROLE_PERMISSIONS, Role.RECEPTION, frozenset({roles.VIEW_ALL_CLIENTS})
    )
    before = (intake_rows(), Event.objects.count())
    http = logged_in(a.reception)
    assert http.get(reverse("intake:client", args=[ana_client.pk])).status_code == 200
    edit = reverse("intake:edit", args=[ana_client.pk])
    assert http.get(edit).status_code == 403
    assert http.post(edit, form_data(adult, **FILLED)).status_code == 403
    assert (intake_rows(), Event.objects.count()) == before


@pytest.mark.parametrize("role", ["reception", "professional"])
def test_reception_and_professionals_get_403_for_the_forms_and_change_nothing(a, adult, role):
    question = adult.questions.first()
    before = (intake_rows(), Event.objects.count())
    http = logged_in(a.member(role))
    assert http.get(reverse("intake:groups")).status_code == 403
    assert http.post(reverse("intake:groups"), {"name": "X"}).status_code == 403
    assert http.get(reverse("intake:group", args=[adult.pk])).status_code == 403
    assert http.post(reverse("intake:question_add", args=[adult.pk]), QUESTION).status_code == 403
    for name in ("question_edit", "question_move", "question_active"):
        assert http.post(reverse(f"intake:{name}", args=[question.pk]), QUESTION).status_code == 403
    assert AnamnesisQuestion.objects.filter(text="X").count() == 0
    assert (intake_rows(), Event.objects.count()) == before
