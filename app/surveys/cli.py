"""`flask --app wsgi surveys validate|load|import-xlsform`: definition files from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.surveys.loader import YAML_SUFFIXES, DefinitionError, validate_paths

surveys_cli = AppGroup("surveys", help="Questionnaire definition files (surveys/*.yaml).")


def _all_files(directory: Path) -> list[Path]:
    files = sorted(p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES)
    polls = directory / "polls"
    if polls.is_dir():
        files += sorted(p for p in polls.iterdir() if p.suffix in YAML_SUFFIXES)
    return files


@surveys_cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check definition FILES (default: every file under SURVEYS_DIR); exit 1 on problems."""
    from app.surveys.services import surveys_dir

    paths = list(files) or _all_files(surveys_dir())
    issues = validate_paths(paths)
    for issue in issues:
        click.echo(str(issue), err=True)
    if issues:
        files_with_issues = len({issue.file for issue in issues})
        raise click.ClickException(
            f"{len(issues)} problem(s) in {files_with_issues} of {len(paths)} file(s)"
        )
    click.echo(f"{len(paths)} file(s) OK")


@surveys_cli.command("load")
def load() -> None:
    """Load the findings and every questionnaire into survey versions (nothing when any file is invalid)."""
    from app.extensions import db
    from app.surveys.services import load_surveys

    try:
        findings, results = load_surveys()
    except DefinitionError as error:
        db.session.rollback()
        for issue in error.errors:
            click.echo(str(issue), err=True)
        raise click.ClickException(f"nothing loaded: {len(error.errors)} problem(s)") from None
    db.session.commit()
    click.echo(f"findings catalogue: {findings} finding(s)")
    for result in results:
        click.echo(f"{result.slug}: {result.outcome} (version {result.version}, {result.path})")


@surveys_cli.command("import-xlsform")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the YAML definition (e.g. surveys/x.yaml).")
@click.option("--force", is_flag=True, help="Overwrite OUT when it exists.")
def import_xlsform(source: Path, out: Path, force: bool) -> None:
    """Convert an XLSForm (.xlsx) into a YAML definition; refused forms list every unsupported feature."""
    from app.surveys.xlsform import XLSFormError, dump_yaml, import_xlsform

    if out.exists() and not force:
        raise click.ClickException(f"{out} exists; use --force to overwrite it")
    try:
        result = import_xlsform(source)
    except XLSFormError as refused:
        for problem in refused.problems:
            click.echo(f"{source}: {problem}", err=True)
        raise click.ClickException(
            f"{source} cannot be imported: {len(refused.problems)} unsupported feature(s)"
        ) from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dump_yaml(result.definition), encoding="utf-8")
    click.echo(f"wrote {out}; check it with: flask --app wsgi surveys validate {out}")
