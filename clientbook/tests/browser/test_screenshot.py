"""The README's screenshot: practice A's client list with realistic data, 1280x800, full page.

Written to a temporary file on every run (so the page is checked to render), and to
docs/screenshot.png when asked: `CLIENTBOOK_SCREENSHOT=docs/screenshot.png pytest -k screenshot`.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clientbook.testing import make_client
from clients.models import Status
from clients.services import update_client
from practices.models import Professional

# (name, phone, e-mail, days since first contact, professionals: A = Ana, B = Bruno)
CLIENTS = [
    ("Adriana Mendes Costa", "+5511987120345", "adriana.costa@gmail.com", 412, "A"),
    ("Beatriz Nogueira", "+5511991234870", "bia.nogueira@outlook.com", 380, "B"),
    ("Caio Henrique Duarte", "+5511976540012", "", 365, "A"),
    ("Camila Ferraz Rocha", "+5521998761203", "camila.rocha@yahoo.com.br", 340, "AB"),
    ("Daniel Okamoto", "+5511983004417", "daniel.okamoto@gmail.com", 301, "B"),
    ("Eduarda Lins Pacheco", "+5511994450981", "duda.pacheco@gmail.com", 290, "A"),
    ("Felipe Antunes", "+551132554410", "felipe@antunesadv.com.br", 270, "B"),
    ("Gabriela Torres Vieira", "+5511972218804", "gabi.vieira@hotmail.com", 255, "A"),
    ("Helena Castro Alves", "+5511985531290", "helena.alves@gmail.com", 240, "A"),
    ("Igor Matsuda", "+5511996617033", "igor.matsuda@proton.me", 222, "B"),
    ("Isabela Guimarães", "+5511988001276", "isabela.g@gmail.com", 210, "AB"),
    ("Júlia Ramos Teixeira", "+5511974406655", "ju.teixeira@gmail.com", 198, "A"),
    ("Larissa Freitas", "+5511993378120", "", 180, "B"),
    ("Lucas Barbosa Lima", "+5511981102947", "lucas.lima@uol.com.br", 166, "A"),
    ("Marcelo Sampaio", "+551138821190", "marcelo.sampaio@gmail.com", 150, "B"),
    ("Mariana Azevedo", "+5511997714502", "mari.azevedo@gmail.com", 132, "A"),
    ("Natália Prado Borges", "+5511986653321", "natalia.borges@icloud.com", 121, "AB"),
    ("Otávio Rezende", "+5511975509964", "otavio.rezende@gmail.com", 104, "B"),
    ("Paula Cristina Moura", "+5511992280471", "paula.moura@terra.com.br", 90, "A"),
    ("Rafael Cunha", "+5511984431807", "rafa.cunha@gmail.com", 76, "B"),
    ("Renata Siqueira", "+5511979902314", "renata.siqueira@gmail.com", 61, "A"),
    ("Sérgio Tavares", "+5511995567728", "", 48, "B"),
    ("Tatiana Köhler", "+5511983345590", "tati.kohler@gmail.com", 33, "A"),
    ("Thiago Brandão", "+5511976628841", "thiago.brandao@outlook.com", 20, "AB"),
    ("Vitória Albuquerque", "+5511998873316", "vitoria.alb@gmail.com", 9, "A"),
    ("Yasmin Farias", "+5511987765009", "yasmin.farias@gmail.com", 2, "B"),
]
WAITLIST = [
    ("Fernanda Queiroz", "+5511991106632", "fe.queiroz@gmail.com", 26, "A"),
    ("Rodrigo Peixoto", "+5511985524478", "rodrigo.peixoto@gmail.com", 12, "B"),
    ("Luíza Marques", "+5511977743390", "", 5, "A"),
]


@pytest.mark.browser
def test_the_client_list_screenshot(log_in, page: Page, a, tmp_path):
    # Friendlier names than the personas' on the screenshot.
    ana = a.professional.professional
    Professional.objects.filter(pk=ana.pk).update(name="Ana Ribeiro")
    ana.refresh_from_db()
    a.reception.user.last_name = "Moraes"
    a.reception.user.save(update_fields=["last_name"])
    bruno = a.other_professional
    # The personas' clients get contacts too.
    for name, phone, email in [
        ("João da Silva", "+5511984470321", "joao.silva@gmail.com"),
        ("Łukasz Wiśniewski", "+48601234567", "lukasz.w@wp.pl"),
        ("Émilie Tremblay", "+15145550142", "emilie.tremblay@videotron.ca"),
        ("Zoë Ødegaard", "+5511973301845", "zoe.odegaard@gmail.com"),
    ]:
        update_client(a.clients[name], by=a.owner, fields={"phone": phone, "email": email})
    now = timezone.now()
    for rows, status in [(CLIENTS, Status.ACTIVE), (WAITLIST, Status.WAITLIST)]:
        for name, phone, email, days, who in rows:
            make_client(
                a.reception,
                name,
                professionals=[{"A": ana, "B": bruno}[p] for p in who],
                status=status,
                phone=phone,
                email=email,
                first_contact_at=now - datetime.timedelta(days=days, hours=days % 7),
            )

    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(a.reception)
    expect(page.locator("#results tbody tr")).to_have_count(len(CLIENTS) + 5)
    expect(page.get_by_role("navigation", name="Status")).to_contain_text(str(len(WAITLIST)))
    page.get_by_role("searchbox", name="Search").blur()
    path = Path(os.environ.get("CLIENTBOOK_SCREENSHOT") or tmp_path / "screenshot.png")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 10_000
