"""The case store: sqlmodel tables, the database engine from a URL, migrations and queries.

SQLite by default (WAL, synchronous=FULL so an acknowledged action survives a power cut),
PostgreSQL by URL (``postgresql+psycopg://…``). The schema is created and changed only by the
Alembic migrations in ``powerflow/migrations`` (``powerflow db upgrade``). Times are stored in
UTC; dates that carry legal meaning (deadlines) are stored as dates.

Tables: ``definition_versions`` (the pinned source of every version a case ran on),
``officers`` (the staff roster), ``cases``, ``step_entries`` (one row each time a case enters a
step, with its stored deadline), ``pauses``, ``extensions`` and ``events`` (append-only,
hash-chained per case).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlmodel import JSON, Column, Field, SQLModel

from powerflow.errors import StoreError

UTC = dt.timezone.utc


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise StoreError(f"refusing to store a naive datetime {value}: times must carry a zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


class DefinitionVersionRow(SQLModel, table=True):
    """One version of a definition as cases run it: the YAML source is kept verbatim."""

    __tablename__ = "definition_versions"
    __table_args__ = (sa.UniqueConstraint("code", "version", name="uq_definition_code_version"),)

    digest: str = Field(primary_key=True, max_length=64)
    code: str = Field(index=True, max_length=64)
    version: str = Field(max_length=32)
    effective: dt.date
    name: str
    category: str
    file: str
    source: str
    registered_at: dt.datetime = _when()


class OfficerRow(SQLModel, table=True):
    """The staff roster: which posts (岗位) an officer holds and which qualifications (资格)."""

    __tablename__ = "officers"

    officer: str = Field(primary_key=True, max_length=64)
    posts: list[str] = _json(list)
    qualifications: list[str] = _json(list)
    updated_at: dt.datetime = _when()


class CaseRow(SQLModel, table=True):
    """One case (办件/案件). Its current step and stored case deadlines live here."""

    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, max_length=64)
    digest: str = Field(foreign_key="definition_versions.digest", max_length=64)
    version: str = Field(max_length=32)
    party: str | None = None
    facts: dict[str, Any] = _json(dict)
    state: str = Field(index=True, max_length=64)
    status: str = Field(index=True, max_length=16)  # open, paused, closed
    outcome: str | None = None
    opened_at: dt.datetime = _when()
    closed_at: dt.datetime | None = _when(nullable=True)
    clock_started_on: dt.date | None = None
    legal_due: dt.date | None = Field(default=None, index=True)
    legal_provisional: bool = False
    promised_due: dt.date | None = Field(default=None, index=True)
    promised_provisional: bool = False
    extended_by: int = 0
    paused_since: dt.date | None = None
    step_entered_at: dt.datetime = _when()
    step_due: dt.date | None = None
    step_overdue_at: dt.datetime | None = _when(nullable=True, index=True)
    step_provisional: bool = False
    alert_check_at: dt.datetime | None = _when(nullable=True, index=True)
    """When the monitor must look at this case next (deadlines changed, or a threshold nears)."""
    lock_version: int = 0
    last_seq: int = 0
    last_hash: str = Field(default="", max_length=64)


class StepEntryRow(SQLModel, table=True):
    """A completed stay of a case in a step: when, its stored deadline, and how it left.

    The current stay lives in the case row (``step_*`` columns), so an act writes one row here.
    """

    __tablename__ = "step_entries"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    step: str = Field(max_length=64)
    entered_at: dt.datetime = _when()
    left_at: dt.datetime = _when()
    action: str | None = None
    officers: list[str] = _json(list)
    due: dt.date | None = None
    overdue_at: dt.datetime | None = _when(nullable=True)
    provisional: bool = False


class PauseRow(SQLModel, table=True):
    """A stopped clock: a special procedure (特别程序) or a suspension (中止)."""

    __tablename__ = "pauses"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    step: str | None = None
    reason: str
    basis: str | None = None
    expected_value: int | None = None
    expected_unit: str | None = None
    party_notified: bool = False
    started_on: dt.date
    ended_on: dt.date | None = None


class ExtensionRow(SQLModel, table=True):
    """A granted extension (延长) of the case's legal limit."""

    __tablename__ = "extensions"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    officer: str
    value: int
    unit: str
    reason: str
    party_notified: bool
    granted_at: dt.datetime = _when()


class EventRow(SQLModel, table=True):
    """The append-only record (全过程记录). Each event carries the hash of the one before it."""

    __tablename__ = "events"
    __table_args__ = (sa.UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    seq: int
    kind: str = Field(max_length=32)
    actor: str | None = None
    payload: dict[str, Any] = _json(dict)
    effective_at: dt.datetime = _when()
    recorded_at: dt.datetime = _when()
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AlertRow(SQLModel, table=True):
    """An e-supervision alert (预警/黄牌/红牌): raised once per case, subject and level."""

    __tablename__ = "alerts"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "subject", "level", name="uq_alerts_case_subject_level"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    code: str = Field(max_length=64)
    subject: str = Field(max_length=160)  # "case" or "step:<id>@<entered_at>"
    step: str | None = Field(default=None, max_length=64)
    post: str | None = Field(default=None, max_length=64)
    unit: str | None = None
    level: str = Field(max_length=16, index=True)  # warning, yellow, red
    limit_kind: str = Field(max_length=16)  # step, legal, promised
    due: dt.date
    limit_text: str
    overdue_days: int
    recipients: list[str] = _json(list)
    raised_at: dt.datetime = _when(index=True)
    status: str = Field(default="open", max_length=16, index=True)  # open, acknowledged, appealed, revoked
    delivery: str = Field(default="pending", max_length=16, index=True)  # pending, delivered, none
    delivery_attempts: int = 0
    delivery_error: str | None = None
    claimed_until: dt.datetime | None = _when(nullable=True)


class AlertActionRow(SQLModel, table=True):
    """Who did what to an alert and why (acknowledge, appeal, revoke)."""

    __tablename__ = "alert_actions"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alerts.id", index=True)
    action: str = Field(max_length=16)
    actor: str | None = None
    reason: str | None = None
    at: dt.datetime = _when()


class SweepRow(SQLModel, table=True):
    """One monitor sweep: when, what it looked at, what it raised, how long it took."""

    __tablename__ = "sweeps"

    id: int | None = Field(default=None, primary_key=True)
    swept_at: dt.datetime = _when(index=True)  # the (possibly simulated) time swept for
    started_at: dt.datetime = _when()
    duration_ms: float
    examined: int
    warnings: int
    yellows: int
    reds: int
    delivered: int
    failed_deliveries: int
    policy: str
    policy_digest: str = Field(max_length=64)
    monitor: str


definition_versions = DefinitionVersionRow.__table__  # type: ignore[attr-defined]
officers = OfficerRow.__table__  # type: ignore[attr-defined]
cases = CaseRow.__table__  # type: ignore[attr-defined]
step_entries = StepEntryRow.__table__  # type: ignore[attr-defined]
pauses = PauseRow.__table__  # type: ignore[attr-defined]
extensions = ExtensionRow.__table__  # type: ignore[attr-defined]
events = EventRow.__table__  # type: ignore[attr-defined]
alerts = AlertRow.__table__  # type: ignore[attr-defined]
alert_actions = AlertActionRow.__table__  # type: ignore[attr-defined]
sweeps = SweepRow.__table__  # type: ignore[attr-defined]

metadata = SQLModel.metadata


# ---------------------------------------------------------------------------------------------
# Connecting


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # powerflow issues BEGIN itself (see _sqlite_begin), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A write takes SQLite's write lock at BEGIN, so it never fails half-way on a stale snapshot.
    write = connection.get_execution_options().get("powerflow_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


_engines: dict[str, Engine] = {}


def connect(url: str) -> Engine:
    """The database engine for a URL (one per URL and process), SQLite tuned for durability."""
    engine = _engines.get(url)
    if engine is not None:
        return engine
    try:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": 30})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            sa.event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = sa.create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot use the database URL {url}: {exc}") from exc
    _engines[url] = engine
    return engine


def dispose(url: str) -> None:
    """Forget the engine of a URL (tests, and processes that fork)."""
    engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


@contextmanager
def transaction(engine: Engine, *, write: bool = True) -> Iterator[Connection]:
    """One atomic transaction; database errors become StoreError with the cause."""
    try:
        with engine.connect() as connection:
            if write:
                connection = connection.execution_options(powerflow_write=True)
            with connection.begin():
                yield connection
    except (OperationalError, ProgrammingError) as exc:
        if _missing_table(exc):
            raise StoreError(
                f"the database {engine.url.render_as_string(hide_password=True)} has no powerflow "
                "tables yet: run `powerflow db upgrade` first"
            ) from exc
        raise StoreError(f"database error: {exc.orig}") from exc


def _missing_table(exc: SQLAlchemyError) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


# ---------------------------------------------------------------------------------------------
# Migrations


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "powerflow:migrations")
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the given Alembic revision (default: the newest)."""
    from alembic import command

    config = _alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"migration failed: {exc}") from exc


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision the package ships."""
    from alembic.script import ScriptDirectory

    config = _alembic_config(sa.create_engine("sqlite://"))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def require_schema(engine: Engine) -> None:
    """Raise StoreError unless the database is migrated to the newest revision."""
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the database: {exc}") from exc
    head = head_revision()
    if revision != head:
        where = engine.url.render_as_string(hide_password=True)
        state = "has no powerflow tables" if revision is None else f"is at revision {revision}"
        raise StoreError(f"the database {where} {state}; run `powerflow db upgrade` (to {head})")


# ---------------------------------------------------------------------------------------------
# Queries the engine runs on every act, built once (building a statement costs more than
# running it on SQLite).

CASE_COLUMNS_WRITTEN = (
    "facts", "state", "status", "outcome", "closed_at", "clock_started_on", "legal_due",
    "legal_provisional", "promised_due", "promised_provisional", "extended_by", "paused_since",
    "step_entered_at", "step_due", "step_overdue_at", "step_provisional", "alert_check_at",
    "lock_version", "last_seq", "last_hash",
)

SELECT_CASE = sa.select(cases).where(cases.c.id == sa.bindparam("case_id"))
SELECT_PAUSES = (
    sa.select(pauses).where(pauses.c.case_id == sa.bindparam("case_id")).order_by(pauses.c.id)
)
SELECT_OFFICERS = sa.select(officers).where(
    officers.c.officer.in_(sa.bindparam("names", expanding=True))
)
UPDATE_CASE = (
    cases.update()
    .where(cases.c.id == sa.bindparam("b_id"), cases.c.lock_version == sa.bindparam("b_version"))
    .values({name: sa.bindparam(name) for name in CASE_COLUMNS_WRITTEN})
)
INSERT_ENTRY = step_entries.insert()
INSERT_EVENT = events.insert()
