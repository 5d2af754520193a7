"""Command-line tasks: the demo meeting, fresh links, imports and minutes."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app

from .extensions import db
from .i18n import translate
from .models import Meeting


def _print_links(links, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(links.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"Meeting {links.meeting_id}")
    click.echo(f"  Facilitator (keep private): {links.facilitator_url}")
    for s in links.sites:
        click.echo(f"  {s.name}")
        click.echo(f"    join code {s.join_code}: {s.join_url}")
        click.echo(f"    projector: {s.projector_url}")
        click.echo(f"    host:      {s.host_url}")


def _meeting_or_exit(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        click.echo(f"No meeting with id {meeting_id}.", err=True)
        sys.exit(1)
    return meeting


def _report_import(done, kind: str, meeting_id: int, dry_run: bool) -> None:
    c = done.counts
    click.echo(f"{c['new']} new, {c['updated']} updated, {c['unchanged']} unchanged, "
               f"{c['refused']} refused.")
    for r in done.rows:
        if r.outcome == "updated":
            click.echo(f"  row {r.row}: updated {r.label} ({', '.join(sorted(r.values))})")
    for p in done.refused:
        click.echo(f"  row {p.row}: {translate(p.message, p.params, 'en')}", err=True)
    for _id, label in done.not_in_file:
        click.echo(f"  not in the file: {label}")
    if done.refused:
        click.echo("Nothing was imported.", err=True)
    elif dry_run:
        click.echo("Dry run: nothing was stored.")
    else:
        click.echo(f"Imported {kind} into meeting {meeting_id}.")


def register_cli(app: Flask) -> None:
    @app.cli.command("demo")
    @click.option("--json", "as_json", is_flag=True, help="Print the links as JSON.")
    def demo(as_json: bool) -> None:
        """Create the NTB demo meeting and print its links."""
        from .demo import create_demo
        links = create_demo(db.session, current_app.config["PUBLIC_URL"])
        db.session.commit()
        _print_links(links, as_json)

    @app.cli.command("links")
    @click.argument("meeting_id", type=int)
    @click.option("--json", "as_json", is_flag=True, help="Print the links as JSON.")
    def links(meeting_id: int, as_json: bool) -> None:
        """Issue fresh links for a meeting (the old ones stop working)."""
        from .meetings import issue_links
        meeting = _meeting_or_exit(meeting_id)
        fresh = issue_links(db.session, meeting, current_app.config["PUBLIC_URL"])
        db.session.commit()
        _print_links(fresh, as_json)

    @app.cli.command("import")
    @click.argument("kind", type=click.Choice(["proposals", "plan-items"]))
    @click.argument("meeting_id", type=int)
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True,
                  help="Only say what the import would do (new, updated, unchanged, refused).")
    def import_(kind: str, meeting_id: int, file: Path, dry_run: bool) -> None:
        """Import proposals or plan items from a CSV or XLSX file. Importing the
        same file again updates what changed and adds nothing twice."""
        from .imports.read import ImportFileError
        from .imports.store import ImportRejected, plan, read, store
        from .meeting.errors import CommandError
        _meeting_or_exit(meeting_id)
        try:
            data = file.read_bytes()
        except OSError as exc:
            click.echo(f"Cannot read {file}: {exc.strerror}", err=True)
            sys.exit(1)
        try:
            result = read(kind, file.name, data)
            if dry_run:
                done = plan(db.session, meeting_id, kind, result)
                db.session.rollback()
            else:
                done, _ = store(db.session, meeting_id, None, kind, result)
                db.session.commit()
        except ImportFileError as exc:
            click.echo(translate(exc.message, exc.params, "en"), err=True)
            sys.exit(1)
        except ImportRejected as exc:
            done = exc.plan
        except CommandError as exc:
            click.echo(translate(exc.message, exc.params, "en"), err=True)
            sys.exit(1)
        _report_import(done, kind, meeting_id, dry_run)
        if done.refused:
            sys.exit(1)

    @app.cli.command("minutes")
    @click.argument("meeting_id", type=int)
    @click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "xlsx", "csv", "md"]),
                  help="Output format (default: from the file name's extension).")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                  help="File to write (default: the usual download name, here).")
    @click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
                  help="Language of the minutes.")
    def minutes(meeting_id: int, fmt: str | None, output: Path | None, lang: str) -> None:
        """Export a meeting's minutes (berita acara)."""
        from .minutes import FORMATS, build_minutes, render
        if fmt is None:
            fmt = output.suffix.lstrip(".").lower() if output else ""
            if fmt not in FORMATS:
                click.echo("Say which format: --format docx|pdf|xlsx|csv|md.", err=True)
                sys.exit(2)
        _meeting_or_exit(meeting_id)
        content = build_minutes(db.session, meeting_id, lang)
        target = output or Path(f"{content.filename}.{fmt}")
        try:
            target.write_bytes(render(content, fmt))
        except OSError as exc:
            click.echo(f"Cannot write {target}: {exc.strerror}", err=True)
            sys.exit(1)
        click.echo(f"Wrote {target}.")
