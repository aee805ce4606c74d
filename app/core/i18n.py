"""Translation catalogs, one per feature package: `app/<feature>/translations/en/...`.

Message ids are Dutch (the default language); the English catalog of each feature translates
them. `flask --app wsgi translate update` extracts and merges, `compile` builds the .mo files
(run by the install scripts, also as `python -m app.core.i18n compile` without an app), `check`
fails when a message has no English translation.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parents[1]
LOCALES = ("en",)
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
METHOD_MAP = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
    ("**/templates/**.svg", "jinja2"),
]
JINJA_OPTIONS = {"extensions": "jinja2.ext.do"}


def buckets() -> dict[str, list[Path]]:
    """Feature name -> source folders. `core` also takes the app package's own modules."""
    result: dict[str, list[Path]] = {}
    for folder in sorted(p for p in APP_DIR.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        result[folder.name] = [folder]
    return result


def _extract(name: str, folders: list[Path]):
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir, extract_from_file

    catalog = Catalog(project="wwwelzijn", domain="messages")
    sources = []
    for folder in folders:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder),
            method_map=METHOD_MAP,
            options_map={"**/templates/**": JINJA_OPTIONS},
            keywords=KEYWORDS,
        ):
            sources.append((str(folder / filename), lineno, message, comments, context))
    if name == "core":
        for path in sorted(APP_DIR.glob("*.py")):
            for lineno, message, comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS
            ):
                sources.append((str(path), lineno, message, comments, context))
    for path, lineno, message, comments, context in sources:
        rel = str(Path(path).relative_to(APP_DIR.parent))
        catalog.add(message, None, [(rel, lineno)], auto_comments=comments, context=context)
    return catalog


def _po_path(name: str, locale: str) -> Path:
    return APP_DIR / name / "translations" / locale / "LC_MESSAGES" / "messages.po"


def update() -> list[str]:
    """Extract every feature's messages and merge them into its English catalog."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    written = []
    for name, folders in buckets().items():
        template = _extract(name, folders)
        if not len(template):
            continue
        for locale in LOCALES:
            path = _po_path(name, locale)
            if path.exists():
                with path.open("rb") as fh:
                    catalog = read_po(fh, locale=locale)
            else:
                catalog = Catalog(locale=locale, project="wwwelzijn")
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            path.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            write_po(buffer, catalog, width=100, omit_header=False, sort_output=False)
            path.write_bytes(buffer.getvalue())
            written.append(str(path.relative_to(APP_DIR.parent)))
    return written


def compile_all() -> list[str]:
    """Compile every .po file to .mo (part of the install)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    done = []
    for po in sorted(APP_DIR.glob("*/translations/*/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        with po.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        done.append(str(po.relative_to(APP_DIR.parent)))
    return done


def missing_translations() -> list[str]:
    """Messages in the sources that have no (or a fuzzy) English translation."""
    from babel.messages.pofile import read_po

    problems = []
    for name, folders in buckets().items():
        template = _extract(name, folders)
        for locale in LOCALES:
            path = _po_path(name, locale)
            translated: dict = {}
            if path.exists():
                with path.open("rb") as fh:
                    for msg in read_po(fh):
                        if msg.id and not msg.fuzzy:
                            translated[msg.id] = msg.string
            for msg in template:
                if not msg.id:
                    continue
                value = translated.get(msg.id)
                empty = not value or (isinstance(value, tuple) and not all(value))
                if empty:
                    where = msg.locations[0] if msg.locations else ("?", 0)
                    ident = msg.id if isinstance(msg.id, str) else msg.id[0]
                    problems.append(f"{where[0]}:{where[1]}: [{locale}] {ident!r}")
    return problems


def init_app(app) -> None:
    import click
    from flask.cli import AppGroup

    group = AppGroup("translate", help="Translation catalogs (Dutch ids, English catalogs).")

    @group.command("update")
    def _update():
        """Extract messages and merge them into each feature's English catalog."""
        for path in update():
            click.echo(f"updated {path}")

    @group.command("compile")
    def _compile():
        """Compile the catalogs (.po -> .mo)."""
        for path in compile_all():
            click.echo(f"compiled {path}")

    @group.command("check")
    def _check():
        """Fail when a message has no English translation."""
        problems = missing_translations()
        for line in problems:
            click.echo(line)
        if problems:
            raise click.ClickException(f"{len(problems)} messages without translation")
        click.echo("All messages are translated.")

    app.cli.add_command(group)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if command == "compile":
        for p in compile_all():
            print(f"compiled {p}")
    elif command == "update":
        for p in update():
            print(f"updated {p}")
    elif command == "check":
        missing = missing_translations()
        print("\n".join(missing) or "All messages are translated.")
        sys.exit(1 if missing else 0)
    else:
        sys.exit(f"unknown command {command}; use compile, update or check")
