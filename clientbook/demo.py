"""Realistic people for the demo and the benchmark: Brazilian and Polish names with their
accents, valid CPF and PESEL numbers, valid phone numbers in each country."""

import datetime
import random
from dataclasses import dataclass

import phonenumbers

from clientbook.lib.text import fold

BR_FIRST_F = [
    "Ana", "Maria", "Júlia", "Letícia", "Márcia", "Conceição", "Lúcia", "Sônia", "Inês",
    "Vitória", "Cecília", "Beatriz", "Luíza", "Fernanda", "Patrícia", "Gabriela", "Débora",
    "Tânia", "Rosângela", "Valéria", "Helena", "Lívia", "Mônica", "Joana", "Bárbara",
]  # fmt: skip
BR_FIRST_M = [
    "João", "José", "Antônio", "Fábio", "André", "Estêvão", "Sérgio", "Lucas", "Mateus",
    "Vinícius", "Caio", "Otávio", "Rafael", "Gustavo", "Joaquim", "Márcio", "Flávio",
    "Cláudio", "Rogério", "Túlio", "Pedro", "Tiago", "Érico", "Ícaro", "Jônatas",
]  # fmt: skip
BR_LAST = [
    "Silva", "Santos", "Oliveira", "Souza", "Conceição", "Araújo", "Gonçalves", "Simões",
    "Magalhães", "Brandão", "Rodrigues", "Ferreira", "Almeida", "Pereira", "Lima", "Gomes",
    "Ribeiro", "Carvalho", "Assunção", "Falcão", "Guimarães", "Monteiro", "Barros", "Peçanha",
    "Conceição Neves", "Damião", "Estevão", "Romão", "Sá", "Melo", "Cordeiro", "Leão",
]  # fmt: skip
PL_FIRST_F = [
    "Małgorzata", "Agnieszka", "Joanna", "Żaneta", "Katarzyna", "Anna", "Zofia", "Łucja",
    "Jadwiga", "Grażyna", "Bożena", "Halina", "Ewa", "Aleksandra", "Magdalena", "Urszula",
    "Dorota", "Elżbieta", "Beata", "Iwona",
]  # fmt: skip
PL_FIRST_M = [
    "Łukasz", "Paweł", "Michał", "Wojciech", "Krzysztof", "Piotr", "Tomasz", "Jarosław",
    "Mirosław", "Zbigniew", "Grzegorz", "Bartłomiej", "Mikołaj", "Jędrzej", "Andrzej",
    "Stanisław", "Przemysław", "Radosław", "Kamil", "Marek",
]  # fmt: skip
# (masculine, feminine) forms.
PL_LAST = [
    ("Wiśniewski", "Wiśniewska"), ("Wójcik", "Wójcik"), ("Kowalczyk", "Kowalczyk"),
    ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"), ("Kozłowski", "Kozłowska"), ("Jankowski", "Jankowska"),
    ("Mazur", "Mazur"), ("Krawczyk", "Krawczyk"), ("Piotrowski", "Piotrowska"),
    ("Grabowski", "Grabowska"), ("Nowakowski", "Nowakowska"), ("Pawłowski", "Pawłowska"),
    ("Michalski", "Michalska"), ("Król", "Król"), ("Wieczorek", "Wieczorek"),
    ("Jabłoński", "Jabłońska"), ("Łukaszewicz", "Łukaszewicz"), ("Śmigielski", "Śmigielska"),
    ("Żak", "Żak"), ("Ćwik", "Ćwik"), ("Nowak", "Nowak"), ("Kowalski", "Kowalska"),
]  # fmt: skip
BR_DDD = [11, 21, 31, 41, 51, 61, 71, 81, 85, 19, 27, 48]
PL_MOBILE = ["50", "51", "53", "57", "60", "66", "69", "72", "78", "79", "88"]
BR_CITIES = [("São Paulo", "SP"), ("Rio de Janeiro", "RJ"), ("Belo Horizonte", "MG"),
             ("Curitiba", "PR"), ("Porto Alegre", "RS"), ("Florianópolis", "SC")]  # fmt: skip
PL_CITIES = [("Kraków", "lesser_poland"), ("Łódź", "lodz"), ("Wrocław", "lower_silesia"),
             ("Gdańsk", "pomerania"), ("Poznań", "greater_poland"),
             ("Warszawa", "masovia")]  # fmt: skip
BR_STREETS = ["Rua das Acácias", "Avenida Paulista", "Rua São João", "Rua Conceição",
              "Travessa do Comércio", "Rua Tomé de Souza"]  # fmt: skip
PL_STREETS = ["ul. Długa", "ul. Świętokrzyska", "ul. Żeromskiego", "al. Jana Pawła II",
              "ul. Łąkowa", "ul. Piękna"]  # fmt: skip
REFERRALS_BR = ["Indicação de amigo", "Instagram", "Google", "Convênio", "Outro profissional"]
REFERRALS_PL = ["Polecenie znajomego", "Google", "Facebook", "Ulotka", "Inna lecznica"]
INSURANCE_BR = ["Unimed", "Bradesco Saúde", "SulAmérica", "Amil", ""]
TAGS_BR = ["ansiedade", "casal", "TCC", "infantil", "valor social", "online"]
TAGS_PL = ["kot", "pies", "stały klient", "szczepienia", "rabat", "egzotyczne"]


@dataclass
class Person:
    full_name: str
    first_name: str
    last_name: str
    female: bool
    birth_date: datetime.date
    national_id: str
    email: str
    phone: str


def cpf(rng: random.Random) -> str:
    base = [rng.randint(0, 9) for _ in range(9)]
    for length in (9, 10):
        total = sum(d * w for d, w in zip(base, range(length + 1, 1, -1), strict=True))
        base.append((total * 10 % 11) % 10)
    s = "".join(map(str, base))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


def pesel(rng: random.Random, birth: datetime.date, female: bool) -> str:
    month = birth.month + {18: 80, 19: 0, 20: 20, 21: 40}[birth.year // 100]
    digits = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{rng.randint(0, 999):03d}"
    sex = rng.choice([0, 2, 4, 6, 8] if female else [1, 3, 5, 7, 9])
    digits += str(sex)
    weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return digits + str(check)


def phone(rng: random.Random, country: str) -> str:
    while True:
        if country == "BR":
            raw = f"+55{rng.choice(BR_DDD)}9{rng.randint(6, 9)}{rng.randint(0, 9999999):07d}"
        else:
            raw = f"+48{rng.choice(PL_MOBILE)}{rng.randint(0, 9999999):07d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(raw)):
            return raw


def birth_date(
    rng: random.Random, today: datetime.date, min_age: int, max_age: int
) -> datetime.date:
    days = rng.randint(min_age * 365 + 1, max_age * 365)
    return today - datetime.timedelta(days=days)


def person(
    rng: random.Random,
    country: str,
    *,
    today: datetime.date,
    min_age: int = 18,
    max_age: int = 85,
    last_name: str | None = None,
) -> Person:
    female = rng.random() < 0.55
    born = birth_date(rng, today, min_age, max_age)
    if country == "BR":
        first = rng.choice(BR_FIRST_F if female else BR_FIRST_M)
        last = last_name or f"{rng.choice(BR_LAST)} {rng.choice(BR_LAST)}"
        national_id = cpf(rng)
    else:
        first = rng.choice(PL_FIRST_F if female else PL_FIRST_M)
        pair = rng.choice(PL_LAST)
        last = last_name or pair[1 if female else 0]
        national_id = pesel(rng, born, female)
    domain = rng.choice(["example.com", "example.org", "example.net"])
    local = f"{fold(first)}.{fold(last).replace(' ', '')}{rng.randint(1, 999)}"
    return Person(
        full_name=f"{first} {last}",
        first_name=first,
        last_name=last,
        female=female,
        birth_date=born,
        national_id=national_id,
        email=f"{local}@{domain}",
        phone=phone(rng, country),
    )


def card_fields(
    rng: random.Random, country: str, who: Person, *, guardian: Person | None = None
) -> dict:
    """A plausible card for `who` (and their guardian, for a minor) in `country` ("BR" or
    "PL"): contacts, address, additional data, and in Brazil the financial section."""
    minor = guardian is not None
    city, region = rng.choice(BR_CITIES if country == "BR" else PL_CITIES)
    streets = BR_STREETS if country == "BR" else PL_STREETS
    fields: dict = {
        "full_name": who.full_name,
        "birth_date": who.birth_date,
        "email": "" if minor else who.email,
        "phone": "" if minor else who.phone,
        "whatsapp": who.phone if country == "BR" and not minor and rng.random() < 0.7 else "",
        "national_id": who.national_id if rng.random() < 0.8 else "",
        "street": f"{rng.choice(streets)} {rng.randint(1, 2000)}",
        "city": city,
        "region": region,
        "postal_code": f"{rng.randint(10000, 99999)}-{rng.randint(0, 999):03d}"
        if country == "BR"
        else f"{rng.randint(0, 99):02d}-{rng.randint(0, 999):03d}",
        "country": country,
        "referral_source": rng.choice(REFERRALS_BR if country == "BR" else REFERRALS_PL),
        "tags": rng.sample(TAGS_BR if country == "BR" else TAGS_PL, k=rng.randint(0, 2)),
    }
    if rng.random() < 0.1:
        fields["preferred_name"] = rng.choice(
            BR_FIRST_F + BR_FIRST_M if country == "BR" else PL_FIRST_F + PL_FIRST_M
        )
    if country == "BR":
        fields["default_fee"] = rng.choice([150, 180, 200, 250, 300])
        fields["payment_method"] = rng.choice(["pix", "card", "transfer", "cash"])
        fields["insurance"] = rng.choice(INSURANCE_BR)
    if guardian is not None:
        fields |= {
            "guardian_name": guardian.full_name,
            "guardian_relation": ("Mãe" if guardian.female else "Pai")
            if country == "BR"
            else ("Matka" if guardian.female else "Ojciec"),
            "guardian_national_id": guardian.national_id,
            "guardian_email": guardian.email,
            "guardian_phone": guardian.phone,
            "guardian_whatsapp": guardian.phone,
            "billing_to_guardian_email": True,
            "documents_to_guardian_whatsapp": rng.random() < 0.5,
            "billing_name": guardian.full_name,
            "billing_tax_id": guardian.national_id,
        }
    return fields
