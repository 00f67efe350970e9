"""Unbound extension objects; create_app() binds them."""
from typing import TYPE_CHECKING, ClassVar

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

from caseflow.api.schemas import ErrorSchema

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    if TYPE_CHECKING:
        # DeclarativeBase types it as any FromClause; every Caseflow model is mapped to a Table,
        # which is what sa.insert/sa.update and the bulk writers (imports, demo data) need.
        __table__: ClassVar[Table]


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    class Model(Base):
        """What `db.Model` is at run time (Base with Flask-SQLAlchemy's table naming), for mypy,
        which cannot see the attribute Flask-SQLAlchemy creates."""
        __abstract__ = True
else:
    Model = db.Model
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class ApiDocs(Api):
    """flask-smorest's Api, used for the OpenAPI document only: caseflow/errors.py answers every
    error (pages and API alike) in the one shape, so flask-smorest's own handler is not installed.
    Its error answers are documented with that one shape (`Error`); no catch-all `default` answer is
    documented: each route names the error answers it gives (caseflow.api.schemas.errors), so a
    client and the fuzzing test see exactly which status codes exist."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        pass


api_docs = ApiDocs()
