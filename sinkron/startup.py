"""What `python app.py` does before serving: schema up to date, a first
organiser and the demo on an empty database, and where to open the app."""
from __future__ import annotations

import atexit
import sys

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from . import organisers
from .extensions import db
from .models import Meeting
from .public_url import forget_server, is_loopback_url, record_server

RED, RESET = "\033[1;31m", "\033[0m"


def prepare(app: Flask, out=None) -> None:
    out = out or sys.stdout
    url = app.config["PUBLIC_URL"]
    with app.app_context():
        upgrade()
        organisers.ensure_first(db.session, app.instance_path, out)
        if not db.session.scalar(select(func.count()).select_from(Meeting)):
            from .cli import print_links
            from .demo import create_demo
            links = create_demo(db.session, url)
            db.session.commit()
            from .cli import suggest_for_demo
            suggest_for_demo(links.meeting_id)
            print("Created the demo meeting.", file=out)
            print_links(links, as_json=False)
        else:
            # Tokens are stored hashed: old links cannot be shown, only replaced.
            for m in db.session.scalars(select(Meeting).order_by(Meeting.id)):
                print(f"Meeting {m.id} ({m.status}): {m.title}", file=out)
            print("For fresh links: flask --app app links MEETING_ID", file=out)
        db.session.remove()
    # The CLI prints links with this address while this server runs.
    record_server(app.instance_path, url)
    atexit.register(forget_server, app.instance_path)
    print(f"Sinkron is running (listening on {app.config['HOST']}:{app.config['PORT']}).", file=out)
    print(f"Phones join at: {url}/ (every link and QR code uses this address)", file=out)
    print(f"Organisers sign in at: {url}/sign-in", file=out)
    if is_loopback_url(url):
        warning = (f"Warning: {url} is this computer's own address: phones cannot open it. "
                   "Set PUBLIC_URL to an address they can reach (see docs/deployment.md).")
        print(f"{RED}{warning}{RESET}" if out.isatty() else warning, file=out)
    out.flush()
