"""The store's direct statements: rows written on the DBAPI connection are the rows SQLAlchemy
Core writes, and read back identically through the sqlmodel tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from powerflow import canonical, store
from powerflow.errors import StoreError

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
MOMENT = dt.datetime(2025, 9, 30, 23, 59, 58, 123456, tzinfo=SHANGHAI)  # the day before in UTC
DIGEST = "d" * 64


@pytest.fixture
def db(database_url: str) -> Iterator[sa.Engine]:
    engine = store.connect(database_url)
    store.upgrade(engine)
    with store.transaction(engine) as connection:
        connection.execute(
            store.definition_versions.insert().values(
                digest=DIGEST,
                code="C",
                version="1.0",
                effective=dt.date(2025, 1, 1),
                name="n",
                category="行政许可",
                file="f.yaml",
                source="code: C",
                registered_at=MOMENT,
            )
        )
    yield engine


def _case(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": "C",
        "digest": DIGEST,
        "version": "1.0",
        "party": '某餐饮店 "老王"',
        "facts": {
            "materials_complete": False,
            "补正": ["营业执照", 1.5, None],
            "nested": {"a": True},
        },
        "state": "intake",
        "status": "open",
        "outcome": None,
        "opened_at": MOMENT,
        "closed_at": None,
        "clock_started_on": dt.date(2025, 9, 30),
        "legal_due": dt.date(2025, 10, 30),
        "legal_provisional": True,
        "promised_due": None,
        "step_entered_at": MOMENT,
        "step_due": dt.date(2025, 10, 9),
        "step_overdue_at": dt.datetime(2025, 10, 9, 16, tzinfo=UTC),
        "alert_check_at": MOMENT,
        "last_hash": "",
    }  # promised_provisional, extended_by, step_provisional, lock_version, last_seq: defaults
    return values | changes


def _entry(case_id: int) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "step": "intake",
        "entered_at": MOMENT,
        "left_at": MOMENT + dt.timedelta(hours=30, microseconds=1),
        "action": "accept",
        "officers": ["wang", "王五"],
        "due": dt.date(2025, 10, 9),
        "overdue_at": None,
        "provisional": False,
    }


def _event(case_id: int, seq: int) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "seq": seq,
        "kind": "acted",
        "actor": "wang,王五",
        "payload": {"deadlines": {"legal_due": "2025-10-30"}, "note": "材料齐全", "officers": []},
        "effective_at": MOMENT,
        "recorded_at": dt.datetime(2025, 9, 30, 16, tzinfo=UTC),
        "prev_hash": "0" * 64,
        "hash": "1" * 64,
    }


def _pause(case_id: int) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "step": "supplement",
        "reason": "补正",
        "basis": None,
        "started_on": dt.date(2025, 9, 30),
    }  # expected_value, expected_unit: NULL; party_notified: default


def _extension(case_id: int) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "officer": "boss",
        "value": 20,
        "unit": "day",
        "reason": "案情复杂",
        "party_notified": True,
        "granted_at": MOMENT,
    }


def _core_insert(db: sa.Engine, table: sa.Table, values: dict[str, Any]) -> int:
    with store.transaction(db) as connection:
        key = connection.execute(table.insert().values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])


def _direct_insert(db: sa.Engine, statement: str, values: dict[str, Any]) -> int:
    with store.direct_transaction(db) as tx:
        prepared = getattr(tx.q, statement)
        tx.run(prepared, values)
    with db.connect() as connection:
        table = prepared_table[statement]
        return int(connection.execute(sa.select(sa.func.max(table.c.id))).scalar_one())


prepared_table = {
    "insert_entry": store.step_entries,
    "insert_event": store.events,
    "insert_pause": store.pauses,
    "insert_extension": store.extensions,
}


def _read(db: sa.Engine, table: sa.Table, row_id: int) -> dict[str, Any]:
    with db.connect() as connection:
        row = connection.execute(sa.select(table).where(table.c.id == row_id)).one()
    return {key: value for key, value in row._asdict().items() if key != "id"}


def _stored_text(url: str, table: str, row_id: int) -> tuple[Any, ...]:
    """The row exactly as SQLite holds it (text, integers), not as any library reads it."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        row = connection.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        assert row is not None
        return tuple(row[1:])


def test_a_case_inserted_directly_is_the_row_core_inserts(db: sa.Engine, database_url: str) -> None:
    core_id = _core_insert(db, store.cases, _case())
    with store.direct_transaction(db) as tx:
        inserted = tx.first(tx.q.insert_case, _case())
        assert inserted is not None
    direct_id = inserted.id
    assert _read(db, store.cases, direct_id) == _read(db, store.cases, core_id)
    if database_url.startswith("sqlite"):
        assert _stored_text(database_url, "cases", direct_id) == _stored_text(
            database_url, "cases", core_id
        )
    with Session(db) as session:
        row = session.get(store.CaseRow, direct_id)
        assert row is not None
        assert row.opened_at == MOMENT and row.opened_at.tzinfo is not None
        assert row.facts["补正"] == ["营业执照", 1.5, None] and row.legal_provisional is True
        assert row.promised_provisional is False and row.extended_by == 0 and row.last_seq == 0


@pytest.mark.parametrize(
    "statement", sorted(prepared_table), ids=lambda name: name.removeprefix("insert_")
)
def test_rows_inserted_directly_are_the_rows_core_inserts(
    db: sa.Engine, database_url: str, statement: str
) -> None:
    case_id = _core_insert(db, store.cases, _case())
    table = prepared_table[statement]
    make = {"insert_entry": _entry, "insert_pause": _pause, "insert_extension": _extension}.get(
        statement
    )
    values = make(case_id) if make else _event(case_id, 1)
    core_id = _core_insert(db, table, values)
    if statement == "insert_event":
        values = _event(case_id, 2)
    direct_id = _direct_insert(db, statement, values)
    core, direct = _read(db, table, core_id), _read(db, table, direct_id)
    if statement == "insert_event":
        assert (core.pop("seq"), direct.pop("seq")) == (1, 2)
    assert direct == core
    if database_url.startswith("sqlite"):
        core_text = _stored_text(database_url, table.name, core_id)
        direct_text = _stored_text(database_url, table.name, direct_id)
        if statement == "insert_event":
            core_text, direct_text = (
                core_text[:1] + core_text[2:],
                direct_text[:1] + direct_text[2:],
            )
        assert direct_text == core_text


def test_an_event_payload_given_as_canonical_text_is_stored_as_core_stores_the_payload(
    db: sa.Engine, database_url: str
) -> None:
    case_id = _core_insert(db, store.cases, _case())
    core_id = _core_insert(db, store.events, _event(case_id, 1))
    values = _event(case_id, 2)
    values["payload"] = canonical.Encoded(canonical.dumps(values["payload"]))
    direct_id = _direct_insert(db, "insert_event", values)
    core, direct = _read(db, store.events, core_id), _read(db, store.events, direct_id)
    assert direct["payload"] == core["payload"] == _event(case_id, 1)["payload"]
    if database_url.startswith("sqlite"):
        # The text hashed is the text stored: canonical (sorted keys, no spaces, Chinese as is).
        stored = _stored_text(database_url, "events", direct_id)[4]
        assert stored == _stored_text(database_url, "events", core_id)[4] == values["payload"]
        assert "材料齐全" in stored and ", " not in stored


def test_a_case_updated_directly_is_the_row_core_updates(db: sa.Engine, database_url: str) -> None:
    changes = {
        "state": "review",
        "facts": {"materials_complete": True},
        "outcome": "准予许可",
        "closed_at": MOMENT + dt.timedelta(days=3),
        "legal_due": None,
        "legal_provisional": False,
        "paused_since": dt.date(2025, 10, 1),
        "step_overdue_at": None,
        "step_provisional": True,
        "alert_check_at": dt.datetime(2026, 1, 1, tzinfo=SHANGHAI),
        "lock_version": 1,
        "last_seq": 1,
        "last_hash": "f" * 64,
    }
    core_id, direct_id = (
        _core_insert(db, store.cases, _case()),
        _core_insert(db, store.cases, _case()),
    )
    with store.transaction(db) as connection:
        connection.execute(
            store.update_case(tuple(changes)), {"b_id": core_id, "b_version": 0, **changes}
        )
    with store.direct_transaction(db) as tx:
        updated = tx.run(
            tx.q.update_case(tuple(changes)), {"b_id": direct_id, "b_version": 0, **changes}
        )
        stale = tx.run(
            tx.q.update_case(tuple(changes)), {"b_id": direct_id, "b_version": 0, **changes}
        )
    assert (updated, stale) == (1, 0), "the lock version guards the update"
    assert _read(db, store.cases, direct_id) == _read(db, store.cases, core_id)
    if database_url.startswith("sqlite"):
        assert _stored_text(database_url, "cases", direct_id) == _stored_text(
            database_url, "cases", core_id
        )


def test_a_case_read_directly_is_the_row_core_reads(db: sa.Engine) -> None:
    case_id = _core_insert(db, store.cases, _case())
    with store.direct_transaction(db, write=False) as tx:
        record = tx.first(tx.q.case, {"case_id": case_id})
        pauses = tx.all(tx.q.pauses, {"case_id": case_id})
    assert record is not None
    with db.connect() as connection:
        row = connection.execute(store.SELECT_CASE, {"case_id": case_id}).one()
    assert record._asdict() == row._asdict() and pauses == []
    for key, value in row._asdict().items():
        assert type(getattr(record, key)) is type(value), key
    assert record.opened_at.utcoffset() == dt.timedelta(0)


def test_only_the_columns_operations_write_can_be_updated(db: sa.Engine) -> None:
    with store.direct_transaction(db) as tx, pytest.raises(StoreError, match="digest"):
        tx.q.update_case(("state", "digest"))


def test_a_failed_block_writes_nothing(db: sa.Engine) -> None:
    with pytest.raises(ZeroDivisionError), store.direct_transaction(db) as tx:
        tx.first(tx.q.insert_case, _case())
        1 / 0  # noqa: B018
    with db.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(store.cases)).scalar() == 0
    with store.direct_transaction(db) as tx:  # the connection is usable again
        assert tx.first(tx.q.insert_case, _case()) is not None


def test_an_unmigrated_database_is_a_clear_error_on_the_direct_path(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    try:
        with (
            pytest.raises(StoreError, match="powerflow db upgrade"),
            store.direct_transaction(store.connect(url)) as tx,
        ):
            tx.first(tx.q.case, {"case_id": 1})
    finally:
        store.dispose(url)
