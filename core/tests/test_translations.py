"""The English catalogue: complete, placeholder-safe, compiled, and served after switching."""

import gettext
import io
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
#: ``{name}`` (str.format) and ``%(name)s`` (blocktranslate / %-format) placeholders.
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([^)]+\)[sd]")
H1 = re.compile(r"<h1>(.*?)</h1>", re.S)


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    """Compile the .po files first (a fresh checkout has no .mo: they are generated)."""
    call_command("compile_translations", stdout=io.StringIO())
    # Django caches catalogues per process; re-announcing LOCALE_PATHS drops any catalogue
    # that an earlier test loaded before the .mo existed.
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        yield


def _h1(response) -> str:
    match = H1.search(response.content.decode())
    assert match, "the page has no <h1>"
    return match.group(1).strip()


@pytest.mark.django_db
def test_login_page_is_english_after_switching_language(client):
    assert _h1(client.get("/accounts/login/")) == "登录"  # Chinese first

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302

    page = client.get("/accounts/login/")
    h1 = _h1(page)
    assert h1 == "Log in" and "登录" not in h1
    assert '<html lang="en">' in page.content.decode()


def test_every_entry_is_translated_and_keeps_its_placeholders():
    catalogue = polib.pofile(str(PO_PATH))
    entries = [e for e in catalogue if not e.obsolete]
    assert entries, f"{PO_PATH} has no entries; run makemessages -l en"
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        if entry.msgid_plural:
            sources = {0: entry.msgid, 1: entry.msgid_plural}
            translations = entry.msgstr_plural
        else:
            sources, translations = {0: entry.msgid}, {0: entry.msgstr}
        if not translations or not all(translations.values()):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        for index, text in translations.items():
            source = sources.get(index, entry.msgid_plural)
            wanted = set(PLACEHOLDER.findall(source))
            got = set(PLACEHOLDER.findall(text))
            if got != wanted:
                problems.append(f"placeholders {sorted(wanted)} → {sorted(got)}: {entry.msgid!r}")
    assert not problems, "\n".join(problems)


def test_compile_translations_compiles_and_then_skips(tmp_path, settings):
    messages = tmp_path / "en" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    po.append(polib.POEntry(msgid="网格", msgstr="Grid"))
    po.save(str(messages / "django.po"))
    settings.LOCALE_PATHS = [tmp_path]

    out = io.StringIO()
    call_command("compile_translations", stdout=out)
    assert "django.mo" in out.getvalue()
    with open(messages / "django.mo", "rb") as fh:
        assert gettext.GNUTranslations(fh).gettext("网格") == "Grid"

    out = io.StringIO()
    call_command("compile_translations", stdout=out)
    assert "无需编译" in out.getvalue()
