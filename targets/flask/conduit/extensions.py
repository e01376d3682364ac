"""Flask extensions, created unbound and initialised in create_app()."""
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

# Objects stay readable after commit: views answer from them without a reload.
db = SQLAlchemy(session_options={"expire_on_commit": False})
# CSRF on every POST of the web pages (conduit.web); the JSON API is exempt.
csrf = CSRFProtect()
# Who is signed in on the web pages (the API reads its own token instead).
login_manager = LoginManager()
