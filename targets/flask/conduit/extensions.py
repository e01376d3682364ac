"""Flask extensions, created unbound and initialised in create_app()."""
from flask_sqlalchemy import SQLAlchemy

# Objects stay readable after commit: views answer from them without a reload.
db = SQLAlchemy(session_options={"expire_on_commit": False})
