"""The demo practices' papers, made through the same services as the pages (so the clients'
timelines tell it): document templates in the practice's language with an attendance
certificate written for a session held, a few files attached to cards (small PDFs and PNGs
made in code), and anamnesis forms with questions and some clients' answers."""

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clients.models import Client, Status
from clients.services import update_client
from documents.models import TemplateKind
from documents.samples import sample_pdf, sample_png
from documents.services import add_attachment, create_document, save_template
from intake.models import AnamnesisGroup, QuestionKind
from intake.services import add_question, asked_questions, save_anamnesis, save_group
from practices.models import Member, Practice, Role
from scheduling.models import Session, SessionStatus

TEMPLATES = {
    "pt-br": [
        (
            "Atestado de comparecimento",
            TemplateKind.CERTIFICATE,
            "Atesto, para os devidos fins, que {client_name}, portador(a) do CPF "
            "{client_national_id}, esteve presente em atendimento psicológico nesta clínica no "
            "dia {session_date}, no horário {session_time} ({session_duration} minutos).\n\n"
            "{professional_name}\n{practice_name}\n\n{today}",
        ),
        (
            "Declaração de acompanhamento",
            TemplateKind.DECLARATION,
            "Declaro que {client_name} (código {client_code}) está em acompanhamento "
            "psicológico regular nesta clínica, sob os cuidados de {professional_name}.\n\n"
            "{practice_name}, {today}.",
        ),
        (
            "Relatório psicológico",
            TemplateKind.REPORT,
            "Identificação: {client_name}, nascido(a) em {client_birth_date}.\n\n"
            "Demanda:\n\nProcedimento:\n\nAnálise:\n\nConclusão:\n\n"
            "{professional_name} — {practice_name}, {today}.",
        ),
    ],
    "pl": [
        (
            "Zaświadczenie o wizycie",
            TemplateKind.CERTIFICATE,
            "Zaświadcza się, że {client_name} (PESEL {client_national_id}) był(a) w dniu "
            "{session_date} w godzinach {session_time} na wizycie w {practice_name} "
            "(czas trwania: {session_duration} min).\n\n{professional_name}\n\n{today}",
        ),
        (
            "Oświadczenie właściciela zwierzęcia",
            TemplateKind.DECLARATION,
            "Ja, {client_name} (kod klienta {client_code}), wyrażam zgodę na przeprowadzenie "
            "zabiegu u mojego zwierzęcia i zostałem(-am) poinformowany(-a) o jego ryzyku.\n\n"
            "{practice_name}, {today}\n\n......................................\n"
            "podpis właściciela",
        ),
    ],
}
FILES = {
    "pt-br": [
        ("Encaminhamento médico.pdf", "Encaminhamento do psiquiatra", "pdf"),
        ("Termo de consentimento assinado.pdf", "Termo de consentimento", "pdf"),
        ("Desenho da sessão.png", "Desenho feito na sessão", "png"),
    ],
    "pl": [
        ("Wyniki badań krwi.pdf", "Morfologia i biochemia", "pdf"),
        ("RTG klatki piersiowej.png", "RTG", "png"),
        ("Karta szczepień.pdf", "Karta szczepień (skan)", "pdf"),
    ],
}
Q = QuestionKind
FORMS = {
    "pt-br": {
        "Adulto": [
            ("Queixa principal", Q.LONG_TEXT, True, []),
            ("Há quanto tempo sente isso?", Q.SHORT_TEXT, False, []),
            ("Já fez psicoterapia antes?", Q.YES_NO, True, []),
            ("Usa alguma medicação?", Q.YES_NO, False, []),
            ("Qualidade do sono", Q.CHOICE, False, ["Boa", "Regular", "Ruim"]),
            ("Horas de sono por noite", Q.NUMBER, False, []),
            ("Data da última consulta médica", Q.DATE, False, []),
        ],
        "Infantil": [
            ("Motivo da procura", Q.LONG_TEXT, True, []),
            ("Escola e série", Q.SHORT_TEXT, False, []),
            ("Com quem a criança mora?", Q.CHOICE, True,
             ["Pai e mãe", "Mãe", "Pai", "Avós", "Outro"]),
            ("Gestação e parto sem intercorrências?", Q.YES_NO, False, []),
            ("Idade em que começou a falar (meses)", Q.NUMBER, False, []),
        ],
        "Casal": [
            ("Motivo da procura", Q.LONG_TEXT, True, []),
            ("Há quanto tempo estão juntos (anos)?", Q.NUMBER, False, []),
            ("Têm filhos?", Q.YES_NO, False, []),
            ("Quem tomou a iniciativa?", Q.CHOICE, False, ["Ela", "Ele", "Ambos"]),
        ],
    },
    "pl": {
        "Wywiad ogólny": [
            ("Powód wizyty", Q.LONG_TEXT, True, []),
            ("Szczepienia aktualne?", Q.YES_NO, True, []),
            ("Data ostatniego odrobaczania", Q.DATE, False, []),
            ("Waga zwierzęcia (kg)", Q.NUMBER, False, []),
            ("Karma", Q.CHOICE, False, ["Sucha", "Mokra", "Mieszana", "BARF"]),
            ("Przyjmowane leki", Q.SHORT_TEXT, False, []),
        ],
    },
}  # fmt: skip
TEXTS = {
    "pt-br": [
        "Ansiedade intensa no trabalho, com crises de choro.",
        "Dificuldade para dormir desde a separação.",
        "Luto pela perda da mãe há seis meses.",
        "Conflitos frequentes com o filho adolescente.",
        "Brigas constantes e falta de diálogo.",
    ],
    "pl": [
        "Kulawizna tylnej łapy od tygodnia.",
        "Coroczne szczepienie i przegląd.",
        "Brak apetytu, wymioty od dwóch dni.",
        "Świąd skóry, drapanie uszu.",
    ],
}


def add_demo_documents(practice: Practice, rng: random.Random) -> int:
    """Templates, an attendance certificate for a held session, files on a few cards, and
    anamnesis forms with some filled in. Returns how many papers (documents and files) were
    made."""
    language = practice.language if practice.language in TEMPLATES else "pt-br"
    owner = Member.objects.get(practice=practice, role=Role.OWNER)
    reception = Member.objects.get(practice=practice, role=Role.RECEPTION)
    templates = [
        save_template(by=owner, name=name, kind=kind, body=body)
        for name, kind, body in TEMPLATES[language]
    ]
    made = 0
    held = (
        # Clients with a national ID on the card, which the certificates quote.
        Session.objects.filter(practice=practice, status=SessionStatus.ATTENDED)
        .exclude(client__national_id="")
        .select_related("client", "professional")
        .order_by("-starts_at")[:3]
    )
    for session in held:
        create_document(by=reception, client=session.client, template=templates[0], session=session)
        made += 1
    clients = list(Client.objects.filter(practice=practice, status=Status.ACTIVE).order_by("pk"))
    for client in rng.sample(clients, k=min(4, len(clients))):
        name, title, kind = rng.choice(FILES[language])
        content = (
            sample_pdf(title, [client.full_name], practice=practice.name)
            if kind == "pdf"
            else sample_png(rgb=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        )
        add_attachment(
            by=reception, client=client, file=SimpleUploadedFile(name, content), title=title
        )
        made += 1
    _anamnesis(practice, language, owner, reception, rng)
    return made


def _anamnesis(
    practice: Practice, language: str, owner: Member, reception: Member, rng: random.Random
) -> None:
    """The forms' questions (groups made if the practice has none of these names), a few
    cards naming the veterinary practice's form, and answers for about one client in five of
    each form; some revised once."""
    groups = []
    for name, questions in FORMS[language].items():
        group = AnamnesisGroup.objects.filter(practice=practice, name=name).first()
        if group is None:
            group = save_group(by=owner, name=name)
        for text, kind, required, choices in questions:
            add_question(
                by=owner, group=group, text=text, kind=kind, required=required, choices=choices
            )
        groups.append(group)
    if practice.kind == Practice.Kind.VETERINARY:
        owners = Client.objects.filter(
            practice=practice, status=Status.ACTIVE, animals__isnull=False
        ).distinct()
        for client in owners.order_by("pk")[:12]:
            update_client(client, by=reception, fields={"anamnesis_group": groups[0]})
    today = timezone.localdate(timezone.now(), practice.tz)
    for group in groups:
        questions = asked_questions(group)
        named = list(Client.objects.filter(practice=practice, anamnesis_group=group)[:40])
        for client in named[: max(6, len(named) // 5)]:
            answers = {str(q.pk): _answer(q, language, today, rng) for q in questions}
            saved = save_anamnesis(client, by=reception, answers=answers, revision=0)
            if saved.revision is not None and rng.random() < 0.3:
                again = dict(answers)
                for q in questions:
                    if q.kind == QuestionKind.YES_NO:
                        again[str(q.pk)] = not answers[str(q.pk)]
                save_anamnesis(client, by=owner, answers=again, revision=saved.revision.number)


def _answer(question, language: str, today: datetime.date, rng: random.Random):
    kind = question.kind
    if kind == QuestionKind.LONG_TEXT:
        return rng.choice(TEXTS[language])
    if kind == QuestionKind.SHORT_TEXT:
        return rng.choice(
            ["Há dois meses", "Desde 2024", "7º ano", "Sertralina 50 mg"]
            if language == "pt-br"
            else ["Brak", "Meloksykam", "Antybiotyk (Synulox)"]
        )
    if kind == QuestionKind.YES_NO:
        return rng.random() < 0.5
    if kind == QuestionKind.CHOICE:
        return rng.choice(question.choices)
    if kind == QuestionKind.DATE:
        return (today - datetime.timedelta(days=rng.randint(20, 400))).isoformat()
    return str(rng.choice([6, 7, 8, 12, 18, 4.5, 32.4]))
