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

import contextlib
import datetime as dt
import functools
import json
import os
import threading
import weakref
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import JSON, Column, Field, SQLModel

from powerflow import canonical
from powerflow.canonical import Encoded
from powerflow.errors import StoreError

UTC = dt.UTC


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
    case_id: int  # indexed by the unique (case_id, seq) constraint
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
    # open, acknowledged, appealed, revoked
    status: str = Field(default="open", max_length=16, index=True)
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
            engine = sa.create_engine(
                url, connect_args={"timeout": 30}, json_serializer=canonical.dumps
            )
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            sa.event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = sa.create_engine(url, pool_pre_ping=True, json_serializer=canonical.dumps)
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


def _missing_table(exc: Exception) -> bool:
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
# Queries the engine's operations run, and how they run them
#
# SQLAlchemy Core spends ~80–100 µs of Python per execute (events, the compiled cache, generic
# parameter and result processing), several times what SQLite needs to run one of these
# statements; an act runs half a dozen, so Core was most of an act's cost besides the fsync.
# The engine therefore runs the statements below through ``Prepared``: compiled by SQLAlchemy
# once per database engine, executed on the DBAPI connection (``DirectTransaction``), every
# value converted by its column type's own SQLAlchemy bind or result processor for that
# dialect. The SQL text and the stored values are exactly what Core sends (naive-UTC datetime
# text, ISO dates, JSON text and 0/1 on SQLite; native values and psycopg's Json on PostgreSQL),
# so rows written either way read back identically through the tables above
# (tests/test_store.py compares them on both databases).

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
SELECT_OFFICER_NAMES = sa.select(officers.c.officer).order_by(officers.c.officer)
SELECT_DEFINITION = sa.select(definition_versions).where(
    definition_versions.c.digest == sa.bindparam("digest")
)
SELECT_VERSIONS = sa.select(definition_versions.c.digest, definition_versions.c.version).where(
    definition_versions.c.code == sa.bindparam("code")
)
SELECT_CODES = sa.select(definition_versions.c.code).order_by(definition_versions.c.code)
UPDATE_CHAIN = (
    cases.update()
    .where(cases.c.id == sa.bindparam("b_id"))
    .values(last_seq=sa.bindparam("last_seq"), last_hash=sa.bindparam("last_hash"))
)
END_PAUSE = (
    pauses.update()
    .where(pauses.c.id == sa.bindparam("b_id"))
    .values(ended_on=sa.bindparam("ended_on"))
)
# inline(): no implicit RETURNING of the new id on PostgreSQL; only a new case's id is wanted.
INSERT_CASE = cases.insert().inline().returning(cases.c.id)
INSERT_ENTRY = step_entries.insert().inline()
INSERT_EVENT = events.insert().inline()
INSERT_PAUSE = pauses.insert().inline()
INSERT_EXTENSION = extensions.insert().inline()


def update_case(columns: Sequence[str]) -> sa.Update:
    """Set these columns of a case, if it is still at the lock version it was read at.

    An act sets only the columns it changes: SQLite rewrites the entries of every index whose
    columns are in the SET list, changed or not, and cases carry several indexes.
    """
    statement: sa.Update = (
        cases.update()
        .where(cases.c.id == sa.bindparam("b_id"))
        .where(cases.c.lock_version == sa.bindparam("b_version"))
        .values({name: sa.bindparam(name) for name in columns})
    )
    return statement


def select_officers(count: int) -> sa.Select[Any]:
    """The roster rows of ``count`` officers, given as the parameters officer_0, officer_1 …"""
    names: list[Any] = [sa.bindparam(f"officer_{index}") for index in range(count)]
    roster = officers.c.officer, officers.c.posts, officers.c.qualifications
    return sa.select(*roster).where(officers.c.officer.in_(names))


_REQUIRED = object()


class Prepared:
    """A statement compiled once for one dialect and run on a DBAPI cursor.

    Parameters go in by name; each value passes through its type's SQLAlchemy bind processor,
    and each selected column through its result processor, exactly as Core would. An insert
    fills what it is not given as Core does: a column's scalar default, else NULL.
    """

    def __init__(
        self,
        statement: sa.ClauseElement,
        dialect: Dialect,
        *,
        results: Sequence[Any] = (),
        memo: dict[tuple[str, str], Callable[[Any], Any]] | None = None,
    ) -> None:
        memo = {} if memo is None else memo
        table = statement.table if isinstance(statement, sa.Insert) else None
        keys = None if table is None else [c.key for c in table.columns if not c.primary_key]
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=keys))
        self.sql: str = compiled.string
        self.positional: bool = compiled.positional
        names = list(compiled.positiontup or ()) if self.positional else list(compiled.binds)
        self.names = tuple(names)
        types = [compiled.binds[name].type for name in names]
        processors = [_processor(type_, dialect, "bind", memo) for type_ in types]
        # Only the values whose type has a processor are touched; the rest go in as given.
        self._convert = tuple((i, fn) for i, fn in enumerate(processors) if fn is not None)
        self._fallbacks = None if table is None else [_fallback(table.c[name]) for name in names]
        columns = list(statement.selected_columns if isinstance(statement, sa.Select) else results)
        record: Any = namedtuple("Record", [column.key for column in columns])  # type: ignore[misc]
        self._make: Callable[[Iterable[Any]], Any] = record._make
        results = [_processor(c.type, dialect, "result", memo) for c in columns]
        # Only the columns whose type has a processor are touched; the rest are read as given.
        self._read = tuple((i, fn) for i, fn in enumerate(results) if fn is not None)

    def parameters(self, values: Mapping[str, Any]) -> Any:
        """The DBAPI parameters for these values."""
        if self._fallbacks is None:
            converted = [values[name] for name in self.names]
        else:
            converted = [
                values[name] if fallback is _REQUIRED or name in values else fallback
                for name, fallback in zip(self.names, self._fallbacks, strict=True)
            ]
        for index, convert in self._convert:
            converted[index] = convert(converted[index])
        return converted if self.positional else dict(zip(self.names, converted, strict=True))

    def record(self, row: Sequence[Any]) -> Any:
        """A result row as a named tuple of the values Core would have read."""
        values = list(row)
        for index, convert in self._read:
            values[index] = convert(values[index])
        return self._make(values)


def _processor(
    type_: Any, dialect: Dialect, direction: str, memo: dict[tuple[str, str], Callable[[Any], Any]]
) -> Callable[[Any], Any] | None:
    """SQLAlchemy's bind or result processor of a type for a dialect.

    Dates and times convert through several layers of them (UTCDateTime's, then the dialect's
    text formatting on SQLite), and an act binds one moment several times (its time is the case's
    step_entered_at and alert_check_at, the completed stay's left_at, the event's effective_at)
    and reads back what the act before wrote. Their processors are therefore memoized, one cache
    per type and dialect shared by all statements: still SQLAlchemy's conversions, each done once
    (keyed by value: equal moments in different zones are one UTC instant and give one text).
    """
    impl = type_.dialect_impl(dialect)
    processor: Callable[[Any], Any] | None
    if direction == "bind":
        processor = impl.bind_processor(dialect)
    else:
        processor = impl.result_processor(dialect, None)
    if direction == "bind" and isinstance(impl, sa.JSON) and processor is not None:
        return _taking_encoded(processor, dialect)
    if processor is None or not _immutable(type_):
        return processor
    key = (repr(type_), direction)
    if key not in memo:
        memo[key] = functools.lru_cache(maxsize=1024)(processor)
    return memo[key]


def _taking_encoded(process: Callable[[Any], Any], dialect: Dialect) -> Callable[[Any], Any]:
    """A JSON bind processor that also takes text already in canonical form (``Encoded``).

    On SQLite the column holds the serializer's text, and the engine's serializer is
    ``canonical.dumps``: canonical text goes in as it is, exactly what Core would write for the
    value it encodes. Elsewhere (psycopg adapts values itself) the text is parsed back first.
    """
    if dialect.name == "sqlite":
        return lambda value: value if type(value) is Encoded else process(value)
    return lambda value: process(json.loads(value) if type(value) is Encoded else value)


def _immutable(type_: Any) -> bool:
    if isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    return isinstance(type_, sa.Date | sa.DateTime)


def _fallback(column: Any) -> Any:
    default = column.default
    if default is not None:
        if not default.is_scalar:
            raise StoreError(f"{column}: only scalar defaults can be filled in outside Core")
        return default.arg
    return None if column.nullable else _REQUIRED


class Statements:
    """The engine's statements prepared for one database engine's dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.sqlite = dialect.name == "sqlite"
        self._dialect = dialect
        self._memo: dict[tuple[str, str], Callable[[Any], Any]] = {}
        self.case = self._prepare(SELECT_CASE)
        self.pauses = self._prepare(SELECT_PAUSES)
        self.officer_names = self._prepare(SELECT_OFFICER_NAMES)
        self.definition = self._prepare(SELECT_DEFINITION)
        self.versions = self._prepare(SELECT_VERSIONS)
        self.codes = self._prepare(SELECT_CODES)
        self.update_chain = self._prepare(UPDATE_CHAIN)
        self.end_pause = self._prepare(END_PAUSE)
        self.insert_case = self._prepare(INSERT_CASE, results=[cases.c.id])
        self.insert_entry = self._prepare(INSERT_ENTRY)
        self.insert_event = self._prepare(INSERT_EVENT)
        self.insert_pause = self._prepare(INSERT_PAUSE)
        self.insert_extension = self._prepare(INSERT_EXTENSION)
        self._officers: dict[int, Prepared] = {}
        self._updates: dict[tuple[str, ...], Prepared] = {}

    def _prepare(self, statement: sa.ClauseElement, results: Sequence[Any] = ()) -> Prepared:
        return Prepared(statement, self._dialect, results=results, memo=self._memo)

    def update_case(self, columns: tuple[str, ...]) -> Prepared:
        """The update of these case columns (a few sets recur: one per kind of operation)."""
        prepared = self._updates.get(columns)
        if prepared is None:
            unknown = set(columns) - set(CASE_COLUMNS_WRITTEN)
            if unknown:
                raise StoreError(f"an operation may not write the case columns {sorted(unknown)}")
            prepared = self._updates[columns] = self._prepare(update_case(columns))
        return prepared

    def officers(self, count: int) -> Prepared:
        """The roster query for ``count`` officers (an act names one or a few)."""
        prepared = self._officers.get(count)
        if prepared is None:
            prepared = self._officers[count] = self._prepare(select_officers(count))
        return prepared


class DirectTransaction:
    """One atomic transaction on a DBAPI connection, running prepared statements.

    Use it as a context manager (``with direct_transaction(engine) as tx:``): it commits when the
    block ends, rolls back when the block raises, and turns database errors into StoreError as
    ``transaction`` does.
    """

    def __init__(self, engine: Engine, write: bool) -> None:
        self._engine = engine
        self._write = write
        self._dbapi = engine.dialect.loaded_dbapi
        self._kept = _kept_connections(engine)
        self._pooled: Any = None

    def __enter__(self) -> DirectTransaction:
        try:
            if self._kept is None:
                self._pooled = self._engine.raw_connection()
                # The driver's own connection: the pool's proxy looks each method up by name.
                self._connection = self._pooled.dbapi_connection
            else:
                self._connection = self._kept.connection(self._engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the database: {exc}") from exc
        # Prepared after the first connection: the dialect learns the server's features then.
        statements = _prepared.get(self._engine)
        if statements is None:
            statements = _prepared[self._engine] = Statements(self._engine.dialect)
        self.q = statements
        try:
            self._cursor = self._connection.cursor()
            # SQLite (isolation_level=None, see _sqlite_pragmas) begins only when told; a write
            # takes the write lock at BEGIN, so the case it reads cannot change before it writes.
            # psycopg begins implicitly at the first statement.
            if statements.sqlite:
                self._cursor.execute("BEGIN IMMEDIATE" if self._write else "BEGIN")
        except BaseException as exc:
            self.__exit__(type(exc), exc, None)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _traceback: Any
    ) -> None:
        database_errors = (self._dbapi.OperationalError, self._dbapi.ProgrammingError)
        try:
            if error is None:
                try:
                    self._connection.commit()
                except BaseException:
                    self._rollback()
                    raise
            else:
                self._rollback()
        except database_errors as exc:
            raise _store_error(self._engine, exc) from exc
        finally:
            if self._pooled is not None:
                self._pooled.close()
        if isinstance(error, database_errors):
            raise _store_error(self._engine, error) from error

    def _rollback(self) -> None:
        try:
            self._connection.rollback()
        except self._dbapi.Error:
            # Broken: never hand this connection out again.
            if self._kept is None:
                self._pooled.invalidate()
            else:
                self._kept.discard()

    def run(self, statement: Prepared, values: Mapping[str, Any]) -> int:
        """Execute a statement; the number of rows it changed."""
        self._cursor.execute(statement.sql, statement.parameters(values))
        return int(self._cursor.rowcount)

    def first(self, statement: Prepared, values: Mapping[str, Any]) -> Any | None:
        """The first result row as a record, or None."""
        self._cursor.execute(statement.sql, statement.parameters(values))
        row = self._cursor.fetchone()
        return None if row is None else statement.record(row)

    def all(self, statement: Prepared, values: Mapping[str, Any]) -> list[Any]:
        """All result rows as records."""
        self._cursor.execute(statement.sql, statement.parameters(values))
        return [statement.record(row) for row in self._cursor.fetchall()]

    def rows(self, statement: Prepared, values: Mapping[str, Any]) -> list[Any]:
        """All result rows as the driver returns them, for a caller that converts them itself."""
        self._cursor.execute(statement.sql, statement.parameters(values))
        return list(self._cursor.fetchall())

    def commit(self) -> None:
        """Commit now: what follows in the block runs outside the transaction (a refusal is
        recorded, committed, then raised)."""
        self._connection.commit()


def _store_error(engine: Engine, exc: Exception) -> StoreError:
    if _missing_table(exc):
        return StoreError(
            f"the database {engine.url.render_as_string(hide_password=True)} has no powerflow "
            "tables yet: run `powerflow db upgrade` first"
        )
    return StoreError(f"database error: {exc}")


class _KeptConnection(threading.local):
    """Each thread's own DBAPI connection to one SQLite file, kept between transactions.

    Checking a connection out of SQLAlchemy's pool and back in (with its reset) costs more than
    SQLite takes to run an act's statements. A connection to a SQLite file holds no server
    resources and cannot go stale, so each thread keeps one, detached from the pool after the
    pool made it (through the engine's connect listeners: WAL, synchronous=FULL, foreign keys).
    """

    _connection: Any = None
    _pid = 0

    def connection(self, engine: Engine) -> Any:
        if self._connection is None or self._pid != os.getpid():
            if self._connection is not None:
                # Made before a fork: the parent's. Never used or closed here (closing could
                # checkpoint the parent's WAL); kept referenced so the collector leaves it alone.
                _inherited.append(self._connection)
            pooled = engine.raw_connection()
            self._connection = pooled.dbapi_connection
            pooled.detach()
            self._pid = os.getpid()
        return self._connection

    def discard(self) -> None:
        connection, self._connection = self._connection, None
        with contextlib.suppress(Exception):
            connection.close()


_inherited: list[Any] = []
_kept: weakref.WeakKeyDictionary[Engine, _KeptConnection | None] = weakref.WeakKeyDictionary()


def _kept_connections(engine: Engine) -> _KeptConnection | None:
    """The engine's kept connections, or None when it pools them (PostgreSQL; in-memory SQLite,
    where the pool's one connection is the database)."""
    try:
        return _kept[engine]
    except KeyError:
        pass
    kept = None
    if engine.dialect.name == "sqlite" and isinstance(engine.pool, sa.pool.QueuePool):
        kept = _KeptConnection()
        # dispose() closes the pool's connections; the kept ones go with it.
        sa.event.listen(engine, "engine_disposed", lambda engine: _kept.pop(engine, None))
    _kept[engine] = kept
    return kept


_prepared: weakref.WeakKeyDictionary[Engine, Statements] = weakref.WeakKeyDictionary()


def direct_transaction(engine: Engine, *, write: bool = True) -> DirectTransaction:
    """One atomic transaction run on the DBAPI connection (a context manager)."""
    return DirectTransaction(engine, write)
