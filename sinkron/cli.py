"""Command-line tasks: the demo meeting, fresh links, imports, minutes and
organisers.

Every command first brings the database schema up to date, as `python
app.py` does, so each works on a new, empty database; a database it cannot
reach ends it with one line saying so, never a traceback."""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .i18n import translate
from .models import Meeting, Organiser, Participant
from .public_url import running_server_url


def public_url() -> str:
    """The links' address: PUBLIC_URL when set; else the address of the
    server running over this instance folder; else this machine's default,
    as the server would compute it."""
    config = current_app.config
    if not config.get("PUBLIC_URL_FROM_ENV"):
        running = running_server_url(current_app.instance_path)
        if running:
            return running
    return config["PUBLIC_URL"]


def fail(message: str, code: int = 1):
    click.echo(message, err=True)
    sys.exit(code)


def _schema_is_current() -> bool:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads()) == set(script.get_heads())


def with_schema(command):
    """Upgrade the schema first (nothing to do when it is current); turn a
    database that cannot be reached or upgraded into one line."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            if not _schema_is_current():
                click.echo("Bringing the database schema up to date first.", err=True)
                upgrade()
        except (SQLAlchemyError, OSError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            fail(f"Cannot open the database {db.engine.url.render_as_string(hide_password=True)}: "
                 f"{reason}. Check DATABASE_URL, then run: flask --app app db upgrade")
        except SystemExit as exc:  # alembic's own errors end with a message already
            fail("The database schema could not be upgraded: flask --app app db upgrade shows why.",
                 exc.code if isinstance(exc.code, int) and exc.code else 1)
        return command(*args, **kwargs)
    return wrapper


def print_links(links, as_json: bool) -> None:
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
        fail(f"No meeting with id {meeting_id}.")
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
    @with_schema
    def demo(as_json: bool) -> None:
        """Create the NTB demo meeting and print its links."""
        from .demo import create_demo
        links = create_demo(db.session, public_url())
        db.session.commit()
        suggest_for_demo(links.meeting_id)
        print_links(links, as_json)

    @app.cli.command("links")
    @click.argument("meeting_id", type=int)
    @click.option("--role", type=click.Choice(["facilitator", "projector", "host", "join-code"]),
                  help="Replace only this link (with --site for a site's); the others keep working.")
    @click.option("--site", "site", help="The site: its number (1, 2, ...) or its name.")
    @click.option("--json", "as_json", is_flag=True, help="Print the links as JSON.")
    @with_schema
    def links(meeting_id: int, role: str | None, site: str | None, as_json: bool) -> None:
        """Issue fresh links for a meeting: all of them (the old ones stop
        working), or one role's with --role."""
        from .meetings import issue_links
        meeting = _meeting_or_exit(meeting_id)
        if role is None:
            if site:
                fail("--site goes with --role.", 2)
            staff = [p.id for p in db.session.scalars(select(Participant).where(
                Participant.meeting_id == meeting.id, Participant.role.in_(("facilitator", "host"))))]
            fresh = issue_links(db.session, meeting, public_url())
            db.session.commit()
            close_connections(meeting.id, staff, [s.id for s in meeting.sites])
            print_links(fresh, as_json)
            return
        one = _replace_one(meeting, role.replace("-", "_"), site)
        if as_json:
            click.echo(json.dumps(vars(one), ensure_ascii=False, indent=2))
        else:
            click.echo(f"New {role} link{' for ' + _site_name(meeting, one.site_id) if one.site_id else ''}"
                       f" (the one it replaces no longer works): {one.url}")

    @app.cli.command("import")
    @with_schema
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
                done, event = store(db.session, meeting_id, None, kind, result)
                db.session.commit()
                if event is not None:
                    _suggest(meeting_id, announce=True)
        except ImportFileError as exc:
            click.echo(translate(exc.message, exc.params, "en"), err=True)
            sys.exit(1)
        except ImportRejected as exc:
            done = exc.plan
        except CommandError as exc:
            click.echo(translate(exc.message, exc.params, "en"), err=True)
            sys.exit(1)
        click.echo(f"Read as {result.read_as}.")
        _report_import(done, kind, meeting_id, dry_run)
        if done.refused:
            sys.exit(1)

    @app.cli.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace FILE if it exists.")
    def backup_(file: Path, force: bool) -> None:
        """Back up the database to FILE while the server runs (README: Backups)."""
        from .backup import BackupError, backup
        if file.exists() and not force:
            click.echo(f"{file} exists; use --force to replace it.", err=True)
            sys.exit(1)
        try:
            how = backup(db.engine, file)
        except (BackupError, OSError) as exc:
            click.echo(f"Backup failed: {exc}", err=True)
            sys.exit(1)
        click.echo(f"Wrote {file} ({how}).")

    @app.cli.command("minutes")
    @click.argument("meeting_id", type=int)
    @click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "xlsx", "csv", "md"]),
                  help="Output format (default: from the file name's extension).")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                  help="File to write (default: the usual download name, here).")
    @click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
                  help="Language of the minutes.")
    @with_schema
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

    @app.cli.command("matches")
    @click.argument("meeting_id", type=int)
    @click.option("--top", type=click.IntRange(1, 50), default=5, show_default=True,
                  help="How many plan items to suggest per proposal.")
    @click.option("--json", "as_json", is_flag=True, help="Print the suggestions as JSON.")
    @with_schema
    def matches(meeting_id: int, top: int, as_json: bool) -> None:
        """The plan items each proposal is likely in, best first, with reasons."""
        from .suggestions_query import meeting_suggestions
        _meeting_or_exit(meeting_id)
        found = meeting_suggestions(db.session, meeting_id, top)
        if as_json:
            click.echo(json.dumps(found, ensure_ascii=False, indent=2))
            return
        print_matches(found)

    _register_organiser_commands(app)


def print_matches(found: list[dict]) -> None:
    from .matching import STRONG_THRESHOLD
    if not found:
        click.echo("No proposals on the agenda.")
        return
    click.echo(f"* strong: score at least {STRONG_THRESHOLD} (docs/matching.md)")
    for entry in found:
        click.echo(f"{entry['proposal_code'] or '#' + str(entry['proposal_id'])}")
        if not entry["suggestions"]:
            click.echo("    no plan item shares its words")
        for s in entry["suggestions"]:
            mark = "*" if s["strong"] else " "
            code = f"{s['plan_item_code']} " if s["plan_item_code"] else ""
            click.echo(f"  {mark} {s['score']:.2f}  {code}{s['sub_activity']}  ({s['document']})")
            why = "; ".join(f"{r['kind']}: {r['detail']}" for r in s["reasons"])
            click.echo(f"           {why}")


def _register_organiser_commands(app: Flask) -> None:
    from . import organisers as accounts

    from flask.cli import AppGroup
    group = AppGroup("organiser", help="Organiser accounts: who may create meetings.")
    app.cli.add_command(group)

    def read_password(from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\r\n")
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)

    @group.command("add")
    @click.argument("name")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    @with_schema
    def add(name: str, password_stdin: bool) -> None:
        """Add an organiser; the password is prompted (or read with --password-stdin)."""
        try:
            accounts.check_name(name)
            if accounts.find(db.session, name) is not None:
                raise accounts.OrganiserError("An organiser named %(name)s exists already.", name=name)
            organiser = accounts.add(db.session, name, read_password(password_stdin))
            db.session.commit()
        except accounts.OrganiserError as exc:
            fail(translate(exc.message, exc.params, "en"))
        click.echo(f"Added the organiser {organiser.name}.")

    @group.command("password")
    @click.argument("name")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    @with_schema
    def password(name: str, password_stdin: bool) -> None:
        """Give an organiser a new password."""
        organiser = accounts.find(db.session, name)
        if organiser is None:
            fail(f"No organiser named {name}.")
        try:
            accounts.set_password(organiser, read_password(password_stdin))
        except accounts.OrganiserError as exc:
            fail(translate(exc.message, exc.params, "en"))
        db.session.commit()
        click.echo(f"New password set for {organiser.name}.")

    @group.command("list")
    @with_schema
    def list_() -> None:
        """List the organisers."""
        rows = db.session.scalars(select(Organiser).order_by(Organiser.name_key)).all()
        if not rows:
            click.echo("No organisers yet: add one with flask --app app organiser add NAME.")
        for o in rows:
            last = o.last_sign_in_at.strftime("%Y-%m-%d %H:%M UTC") if o.last_sign_in_at else "never"
            click.echo(f"{o.name}\t(added {o.created_at:%Y-%m-%d}, last signed in: {last})")

    @group.command("remove")
    @click.argument("name")
    @with_schema
    def remove(name: str) -> None:
        """Remove an organiser (their meetings stay). Their sign-in ends."""
        organiser = accounts.find(db.session, name)
        if organiser is None:
            fail(f"No organiser named {name}.")
        db.session.delete(organiser)
        db.session.commit()
        left = accounts.count(db.session)
        click.echo(f"Removed the organiser {organiser.name}." + (
            "" if left else " None is left: the next start of python app.py creates one."))


def _site_name(meeting: Meeting, site_id: int) -> str:
    return next((s.name for s in meeting.sites if s.id == site_id), str(site_id))


def _replace_one(meeting: Meeting, role: str, site_text: str | None):
    """One fresh link, as the console issues it (with its audit event)."""
    from .meetings import JoinError, replace_link
    site_id = None
    if role != "facilitator":
        if not site_text:
            fail(f"Say which site with --site: {', '.join(f'{i + 1} ({s.name})' for i, s in enumerate(meeting.sites))}.", 2)
        wanted = site_text.strip().casefold()
        for i, s in enumerate(meeting.sites):
            if wanted in (str(i + 1), s.name.casefold()):
                site_id = s.id
                break
        else:
            fail(f"No site {site_text!r} in meeting {meeting.id}.")
    try:
        one, event = replace_link(db.session, meeting, role, site_id, public_url(), None)
    except JoinError as exc:
        fail(translate(exc.message, exc.params, "en"))
    db.session.commit()
    data = event.data
    close_connections(meeting.id, [data["participant_id"]] if data.get("participant_id") else [],
                      [site_id] if role == "projector" else [])
    return one


def close_connections(meeting_id: int, participant_ids: list[int], projector_site_ids: list[int]) -> None:
    """Close the open connections of replaced links. With several processes
    (presence in Redis) the message queue takes each disconnect to its
    process; with one process the CLI cannot reach the server, and such a
    connection stays open until it reconnects (then it is refused)."""
    from .extensions import socketio
    presence = current_app.extensions["sinkron"].presence
    sids = [sid for pid in participant_ids for sid in presence.sids_of(pid)]
    sids += [sid for site_id in projector_site_ids for sid in presence.projector_sids(meeting_id, site_id)]
    for sid in sids:
        socketio.server.disconnect(sid)


def _suggest(meeting_id: int, announce: bool) -> None:
    """Suggested plan items for what the command changed, before it ends: a
    running server would only notice when the facilitator next connects."""
    from flask import current_app
    from .suggesting import child
    if not current_app.config["SINKRON_SUGGESTIONS"]:
        return
    try:
        child.refresh_now(db.session, current_app.config["SQLALCHEMY_DATABASE_URI"], meeting_id,
                          current_app.config["SINKRON_SUGGESTIONS_SECONDS"], announce=announce)
        db.session.commit()
    except child.Failed as exc:
        db.session.rollback()
        click.echo(f"Suggested plan items could not be computed: {str(exc).strip()[-300:]}", err=True)


def suggest_for_demo(meeting_id: int) -> None:
    """A new demo meeting has its suggestions from the start (stored as its
    other rows are, without an event)."""
    _suggest(meeting_id, announce=False)
