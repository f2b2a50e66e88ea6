"""Compile the translation catalogues (``.po`` → ``.mo``) with polib.

Django's own ``compilemessages`` needs GNU gettext's ``msgfmt``; a fresh machine that
has only Python would then run the English UI untranslated. This command compiles every
``<LOCALE_PATH>/<lang>/LC_MESSAGES/*.po`` under ``settings.LOCALE_PATHS`` with polib,
skipping catalogues whose ``.mo`` is already newer than the ``.po``. The ``.mo`` files are
generated (git-ignored); ``make migrate`` and ``make test`` run this first.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "编译翻译目录（locale/*/LC_MESSAGES/*.po → .mo），无需安装 GNU gettext。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="即使 .mo 比 .po 新也重新编译。",
        )

    def handle(self, *args, force=False, **opts):
        compiled = skipped = 0
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if (
                    not force
                    and mo_path.exists()
                    and mo_path.stat().st_mtime >= po_path.stat().st_mtime
                ):
                    skipped += 1
                    continue
                try:
                    catalogue = polib.pofile(str(po_path))
                except (OSError, ValueError) as exc:  # polib raises OSError on syntax errors
                    raise CommandError(f"无法读取 {po_path}：{exc}") from exc
                catalogue.save_as_mofile(str(mo_path))
                compiled += 1
                self.stdout.write(
                    f"已编译 {po_path} → {mo_path.name}"
                    f"（{len(catalogue.translated_entries())} 条已翻译）"
                )
        if compiled == 0:
            self.stdout.write(f"翻译目录均为最新（{skipped} 个，无需编译）。")
