"""The extension objects, created once and bound to the app in create_app."""
from flask_babel import Babel
from flask_compress import Compress
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy

from .models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
socketio = SocketIO()
babel = Babel()
compress = Compress()
