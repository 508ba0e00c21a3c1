"""The translation catalogs: complete, compiled, in step with the source, and used by the pages.

A developer who adds or changes a user-visible string gets a failure here telling them to run
`make messages`, translate the new entries in locale/*/LC_MESSAGES/django.po, and run
`make messages` again (which also compiles the committed .mo files).
"""

import html
import os
import re
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.utils import translation

from practices.services import set_user_language

ROOT = Path(settings.BASE_DIR)
LOCALE_DIR = ROOT / "locale"
# Each catalog, with the number of plural forms of its language.
CATALOGS = {"pt_BR": 2, "fr": 2, "pl": 3}
IN_CI = os.environ.get("CI", "").lower() == "true"
HOW_TO_FIX = (
    "Run `make messages`, translate the new or changed entries in "
    "locale/<lang>/LC_MESSAGES/django.po (no empty msgstr, no fuzzy flag), "
    "then run `make messages` again to compile them."
)


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


def require_tool(name: str) -> str:
    """The path of a gettext tool; missing, the test is skipped (a failure with CI=true)."""
    path = shutil.which(name)
    if path is None:
        message = f"gettext's {name} is not installed (apt-get install gettext)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


# A minimal reader of the .po format (the subset gettext's own tools write).


@dataclass
class Message:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def forms(self) -> list[str]:
        return [self.msgstr.get(i, "") for i in range(max(self.msgstr, default=-1) + 1)]

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    def __str__(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {context}{self.msgid!r}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*"(.*)"$')
_CONTINUATION = re.compile(r'^"(.*)"$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def parse_po(path: Path) -> list[Message]:
    """The active messages of a .po file (obsolete `#~` entries left out), header first."""
    messages: list[Message] = []
    current: Message | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None:
            messages.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                finish()
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        keyword = _KEYWORD.match(line)
        if keyword:
            name, index, text = keyword.group(1), keyword.group(2), _unescape(keyword.group(3))
            if name in ("msgctxt", "msgid") and current is not None and current.msgstr:
                finish()
            if current is None:
                current, flags = Message(flags=flags, line=number), set()
            if name.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = text
            else:
                target = (name, 0)
                setattr(current, name, text)
            continue
        continuation = _CONTINUATION.match(line)
        if not continuation or current is None or target is None:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
        text = _unescape(continuation.group(1))
        if target[0] == "msgstr":
            current.msgstr[target[1]] += text
        else:
            setattr(current, target[0], getattr(current, target[0]) + text)
    finish()
    return messages


def read_mo(path: Path) -> dict[str, str]:
    """A compiled catalog as gettext stores it: original (with context and plural joined by
    EOT and NUL) -> translation (plural forms joined by NUL)."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = {0x950412DE: "<", 0xDE120495: ">"}.get(magic)
    assert order, f"{path} is not a .mo file"
    _revision, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    catalog = {}
    for i in range(count):
        olen, ooff = struct.unpack(order + "2I", data[originals + 8 * i : originals + 8 * i + 8])
        tlen, toff = struct.unpack(
            order + "2I", data[translations + 8 * i : translations + 8 * i + 8]
        )
        catalog[data[ooff : ooff + olen].decode()] = data[toff : toff + tlen].decode()
    return catalog


def expected_mo(messages: list[Message]) -> dict[str, str]:
    """What msgfmt compiles from these messages: translated, non-fuzzy ones (and the header)."""
    catalog = {}
    for message in messages:
        forms = message.forms
        if not message.is_header and ("fuzzy" in message.flags or not all(forms)):
            continue
        original = message.msgid
        if message.msgid_plural is not None:
            original += "\x00" + message.msgid_plural
        if message.msgctxt is not None:
            original = message.msgctxt + "\x04" + original
        catalog[original] = "\x00".join(forms)
    return catalog


_FORMAT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in _FORMAT.finditer(text) if m.group(0) != "%%")


def header_field(messages: list[Message], name: str) -> str:
    header = next(m for m in messages if m.is_header)
    for line in header.forms[0].splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return ""


# (a) Every message translated, nothing fuzzy, placeholders kept, plural forms complete.


@pytest.mark.parametrize("locale", CATALOGS)
def test_catalog_is_complete(locale):
    path = po_path(locale)
    assert path.exists(), f"{path} is missing. {HOW_TO_FIX}"
    messages = parse_po(path)
    nplurals = CATALOGS[locale]
    plural_forms = header_field(messages, "Plural-Forms")
    assert f"nplurals={nplurals};" in plural_forms.replace(" ", ""), (
        f"{path}: Plural-Forms should have nplurals={nplurals}, not {plural_forms!r}"
    )

    problems = []
    for message in messages:
        if "fuzzy" in message.flags:
            problems.append(f"fuzzy: {message}")
        if message.is_header:
            continue
        forms = message.forms
        wanted = nplurals if message.msgid_plural is not None else 1
        if len(forms) != wanted:
            problems.append(f"{len(forms)} msgstr instead of {wanted}: {message}")
        if not all(forms):
            problems.append(f"untranslated: {message}")
            continue
        if "python-format" in message.flags:
            if message.msgid_plural is None:
                if placeholders(forms[0]) != placeholders(message.msgid):
                    problems.append(f"placeholders differ: {message} -> {forms[0]!r}")
            else:
                allowed = set(placeholders(message.msgid_plural))
                for form in forms:
                    if not set(placeholders(form)) <= allowed:
                        problems.append(f"unknown placeholder: {message} -> {form!r}")
    assert len(messages) > 1, f"{path} has no messages"
    assert not problems, f"{path}:\n  " + "\n  ".join(problems) + f"\n{HOW_TO_FIX}"


@pytest.mark.parametrize("locale", CATALOGS)
def test_msgfmt_accepts_catalog(locale):
    msgfmt = require_tool("msgfmt")
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", os.devnull, str(po_path(locale))],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    for problem in ("untranslated", "fuzzy"):
        assert problem not in result.stderr, (
            f"{po_path(locale)}: {result.stderr.strip()}\n{HOW_TO_FIX}"
        )


# (b) The committed .mo files are the compiled .po files (compared by content, not by date).


@pytest.mark.parametrize("locale", CATALOGS)
def test_compiled_catalog_is_up_to_date(locale):
    po = po_path(locale)
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages` (compilemessages) and commit it."
    compiled, expected = read_mo(mo), expected_mo(parse_po(po))
    # Recent msgfmt versions leave POT-Creation-Date out of the compiled header.
    for catalog in (compiled, expected):
        catalog[""] = _without_pot_date(catalog.get("", ""))
    stale = sorted(k for k in expected.keys() - compiled.keys())
    stale += sorted(k for k in compiled.keys() - expected.keys())
    stale += sorted(k for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    assert not stale, (
        f"{mo} does not match {po.name} for: {stale[:10]}"
        f"{' …' if len(stale) > 10 else ''}\nRun `make messages` (compilemessages) and commit "
        "the .mo file."
    )


def _without_pot_date(header: str) -> str:
    return "".join(
        line
        for line in header.splitlines(keepends=True)
        if not line.startswith("POT-Creation-Date:")
    )


# (c) makemessages would find nothing new: every source string is in every catalog.

_COPY_SKIP_AT_ROOT = {".venv", "venv", "var", "staticfiles", "locale", "node_modules"}


def _ignore_for_copy(directory: str, names: list[str]) -> list[str]:
    at_root = Path(directory) == ROOT
    return [
        name
        for name in names
        if name.startswith(".")
        or name == "__pycache__"
        or name.endswith(".egg-info")
        or (at_root and name in _COPY_SKIP_AT_ROOT)
    ]


def source_messages(tmp_path: Path) -> list[Message]:
    """The messages makemessages extracts from the source, run in a copy of the project tree
    whose LOCALE_PATHS point into the copy, so the committed catalogs are never touched."""
    for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib"):
        require_tool(tool)
    tree = tmp_path / "project"
    shutil.copytree(ROOT, tree, ignore=_ignore_for_copy)
    (tree / "locale").mkdir()
    (tree / "_translation_check_settings.py").write_text(
        f"from {os.environ.get('DJANGO_SETTINGS_MODULE', 'clientbook.settings')} import *\n"
        f"LOCALE_PATHS = [{str(tree / 'locale')!r}]\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale=pl",
            "--ignore=.venv/*",
            "--ignore=var/*",
            "--ignore=staticfiles/*",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "_translation_check_settings"},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    generated = tree / "locale" / "pl" / "LC_MESSAGES" / "django.po"
    assert generated.exists(), result.stdout + result.stderr
    return [m for m in parse_po(generated) if not m.is_header]


def test_catalogs_have_every_source_string(tmp_path):
    in_source = {m.key: m for m in source_messages(tmp_path)}
    assert in_source, "makemessages found no translatable string in the source"
    problems = []
    for locale in CATALOGS:
        committed = {m.key for m in parse_po(po_path(locale))}
        missing = [in_source[key] for key in in_source.keys() - committed]
        if missing:
            problems.append(
                f"{po_path(locale)} lacks {len(missing)} string(s) of the source: "
                + ", ".join(repr(m.msgid) for m in sorted(missing, key=lambda m: m.msgid)[:20])
            )
    assert not problems, "\n".join(problems) + f"\n{HOW_TO_FIX}"


# (d) The pages speak the language of the practice, or the user's own choice.


@pytest.fixture
def restore_language():
    before = translation.get_language()
    yield
    translation.activate(before)


PAGES = [
    # (user's language, <html lang>, words on /clients/, English words that must be gone)
    (
        "",  # the practice's language: practice A is Brazilian
        "pt-br",
        ["Clientes", "Cadastro rápido", "Todos os profissionais", "Sair"],
        ["Quick registration", "All professionals", "Log out"],
    ),
    (
        "pl",
        "pl",
        ["Klienci", "Szybka rejestracja", "Wszyscy specjaliści", "Wyloguj się"],
        ["Quick registration", "All professionals", "Log out"],
    ),
    (
        "fr",
        "fr",
        ["Clients", "Inscription rapide", "Tous les professionnels", "Se déconnecter"],
        ["Quick registration", "All professionals", "Log out"],
    ),
]


@pytest.mark.usefixtures("restore_language")
def test_clients_page_in_each_language(a):
    user = a.reception.user
    http = HttpClient()
    http.force_login(user)
    for language, lang_attribute, words, english in PAGES:
        set_user_language(user, language)
        response = http.get("/clients/")
        assert response.status_code == 200
        page = html.unescape(response.content.decode())
        assert f'<html lang="{lang_attribute}">' in page, language
        for word in words:
            assert word in page, f"{word!r} not on /clients/ in {lang_attribute}"
        for word in english:
            assert word not in page, f"English {word!r} on /clients/ in {lang_attribute}"


@pytest.mark.usefixtures("restore_language")
def test_status_tabs_follow_the_language(a):
    """The tab labels of the list are translated per request, not once at import time."""
    user = a.reception.user
    http = HttpClient()
    http.force_login(user)
    for language, words in [
        ("pl", ["Aktywny", "Lista oczekujących", "Nieaktywny"]),
        ("pt-br", ["Ativo", "Lista de espera", "Inativo"]),
        ("fr", ["Actif", "Liste d'attente", "Inactif"]),
    ]:
        set_user_language(user, language)
        page = html.unescape(http.get("/clients/").content.decode())
        tabs = page[page.index('class="tabs"') : page.index("</nav>", page.index('class="tabs"'))]
        for word in words:
            assert word in tabs, (
                f"status tab {word!r} missing in {language}: the labels are translated once at "
                "import (clients.views.TAB_LABELS must use gettext_lazy, not gettext)"
            )


# The pager's count on the list (templates/clients/list.html). Passed through a variable, so
# that makemessages does not list this test as a source of the message.
PAGER_COUNT = ("%(counter)s client", "%(counter)s clients")


@pytest.mark.usefixtures("restore_language")
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pt-br", {1: "1 cliente", 2: "2 clientes", 5: "5 clientes"}),
        ("fr", {0: "0 client", 1: "1 client", 2: "2 clients"}),
        ("pl", {1: "1 klient", 2: "2 klientów", 5: "5 klientów", 22: "22 klientów"}),
    ],
)
def test_plural_forms(language, expected):
    with translation.override(language):
        for n, text in expected.items():
            found = translation.ngettext(*PAGER_COUNT, n)
            assert found % {"counter": n} == text
