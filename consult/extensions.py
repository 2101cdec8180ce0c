"""The Flask extensions, unbound: create_app binds them with init_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from consult.core.db import db
from consult.core.network import client_address

migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address)

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "migrate"]
