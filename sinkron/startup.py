"""What `python app.py` does before serving: schema up to date, demo on an
empty database, and where to open the app."""
from __future__ import annotations

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from .extensions import db
from .models import Meeting


def prepare(app: Flask) -> None:
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count()).select_from(Meeting)):
            from .cli import _print_links
            from .demo import create_demo
            links = create_demo(db.session, app.config["PUBLIC_URL"])
            db.session.commit()
            print("Created the demo meeting.")
            _print_links(links, as_json=False)
        else:
            # Tokens are stored hashed: old links cannot be shown, only replaced.
            for m in db.session.scalars(select(Meeting).order_by(Meeting.id)):
                print(f"Meeting {m.id} ({m.status}): {m.title}")
            print("For fresh links: flask --app app links MEETING_ID")
        db.session.remove()
    print(f"Sinkron is running: open {app.config['PUBLIC_URL']}/ "
          f"(listening on {app.config['HOST']}:{app.config['PORT']})", flush=True)
