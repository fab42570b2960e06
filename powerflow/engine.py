"""The case runtime: open a case, act, suspend and resume the clock, extend, waive, close.

Each case runs by the definition version it was opened on (pinned by digest). The case's state
lives in its row; the one transitions machine of the compiled definition says which actions
exist. Every operation is one database transaction: fully recorded or not at all. A write checks
the case's lock version (optimistic locking), so of two officers acting on the same case at once
exactly one wins and the other gets StaleCase.

Deadlines are computed with the working-day calendar when a step is entered and stored: the
step's own limit, and the case's 法定时限 and 承诺时限 from the step where the clock starts.
Paused time (特别程序 steps and suspensions) is excluded. Dates are Asia/Shanghai dates; a limit
is overdue from the start of the day after its last day.

Every event carries the hash of the previous event of its case (``verify_chain``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from powerflow import canonical, store
from powerflow.compiler import CompiledPower, Exit, compile_definition
from powerflow.definition import Duration, Step, TierKind, TimeUnit, parse_definition
from powerflow.discretion import assess, find_benchmark, place
from powerflow.errors import (
    CaseError,
    IllegalTransition,
    NotAuthorized,
    StaleCase,
    StoreError,
    UnknownCase,
    UnknownDefinition,
    did_you_mean,
)
from powerflow.guards import GUARDS
from powerflow.workdays import Deadline, Pause, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
GENESIS = "0" * 64


def utc_now() -> dt.datetime:
    """The current time in UTC (the CLI's clock)."""
    return dt.datetime.now(UTC)


def local_date(moment: dt.datetime) -> dt.date:
    """The Asia/Shanghai date of a moment: the date that carries legal meaning."""
    return moment.astimezone(SHANGHAI).date()


@functools.lru_cache(maxsize=4096)
def overdue_from(due: dt.date) -> dt.datetime:
    """When a limit whose last day is ``due`` is exceeded: the next day's 00:00 in Shanghai."""
    return dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), SHANGHAI).astimezone(UTC)


# ---------------------------------------------------------------------------------------------
# Plain runtime values


@dataclass(frozen=True)
class Case:
    """A case as the engine hands it out: plain values, no database row."""

    id: int
    code: str
    version: str
    digest: str
    party: str | None
    state: str
    status: str
    outcome: str | None
    facts: dict[str, Any]
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    clock_started_on: dt.date | None
    legal_due: dt.date | None
    legal_provisional: bool
    promised_due: dt.date | None
    promised_provisional: bool
    extended_by: int
    paused_since: dt.date | None
    step_entered_at: dt.datetime
    step_due: dt.date | None
    step_overdue_at: dt.datetime | None
    step_provisional: bool
    lock_version: int


@dataclass(frozen=True)
class StepEntry:
    """One stay of a case in a step, with the step's stored deadline."""

    step: str
    entered_at: dt.datetime
    left_at: dt.datetime | None
    action: str | None
    officers: list[str]
    due: dt.date | None
    overdue_at: dt.datetime | None
    provisional: bool


@dataclass(frozen=True)
class Event:
    """One entry of the case record."""

    seq: int
    kind: str
    actor: str | None
    payload: dict[str, Any]
    effective_at: dt.datetime
    recorded_at: dt.datetime
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class CaseView:
    """A case with its step history and its full record."""

    case: Case
    entries: list[StepEntry]
    events: list[Event]

    @property
    def current_entry(self) -> StepEntry | None:
        return next((e for e in reversed(self.entries) if e.left_at is None), None)


@dataclass(frozen=True)
class AvailableAction:
    """An action the definition offers from the current step, and whether its guard holds now."""

    action: str
    name: str
    to: str
    post: str
    condition: str | None
    guard: str | None
    guard_holds: bool


@dataclass(frozen=True)
class ChainProblem:
    """Where a case's hash chain is broken."""

    case_id: int
    seq: int | None
    message: str


@dataclass(frozen=True)
class PenaltyDecision:
    """A penalty decided against the definition's 裁量基准 (行政处罚法 art. 34).

    ``base`` gives the amounts a fine in multiples is taken of (e.g. {"货值金额": 8000}); a
    ``reason`` (裁量理由) is required when the amount lies outside the tier the circumstances
    call for, and is recorded for 法制审核.
    """

    violation: str
    amount: Decimal | None
    """The fine in 元; None when no fine is imposed (e.g. only a 警告)."""
    circumstances: tuple[str, ...] = ()
    base: Mapping[str, Decimal] = field(default_factory=dict)
    reason: str | None = None


NIGHT_STARTS, NIGHT_ENDS = dt.time(22, 0), dt.time(6, 0)
"""夜间 for 行政强制法 art. 43: from 22:00 to 06:00, Asia/Shanghai."""

SYSTEM = "system"
"""The actor of what the engine does by itself (deemed actions)."""


@dataclass
class _Write:
    """What one operation writes, gathered before the one transaction that writes it."""

    case_values: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Hashing


def _json_string(value: str | None) -> str:
    """A string (or None) as JSON text, as the canonical encoder writes it."""
    return "null" if value is None else encode_basestring(value)


def event_hash(
    case_id: int,
    seq: int,
    kind: str,
    actor: str | None,
    payload: Mapping[str, Any],
    effective_at: dt.datetime,
    recorded_at: dt.datetime,
    prev_hash: str,
) -> str:
    """The hash of one event, chained to the previous event's hash."""
    return _chained_hash(
        case_id, seq, kind, actor, canonical.dumps(payload), effective_at, recorded_at, prev_hash
    )


def _chained_hash(
    case_id: int,
    seq: int,
    kind: str,
    actor: str | None,
    payload_text: str,
    effective_at: dt.datetime,
    recorded_at: dt.datetime,
    prev_hash: str,
) -> str:
    """``event_hash`` of a payload already in canonical text.

    The hashed text is the canonical JSON of the body {case, seq, kind, actor, payload,
    effective_at, recorded_at, prev}; it is written out here with the keys in sorted order around
    the payload's text, so a payload encoded once is both hashed and stored.
    """
    body = (
        f'{{"actor":{_json_string(actor)},"case":{int(case_id)},'
        f'"effective_at":"{effective_at.astimezone(UTC).isoformat()}",'
        f'"kind":{_json_string(kind)},"payload":{payload_text},"prev":{_json_string(prev_hash)},'
        f'"recorded_at":"{recorded_at.astimezone(UTC).isoformat()}","seq":{int(seq)}}}'
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _event_row(
    case_id: int,
    seq: int,
    kind: str,
    actor: str | None,
    payload: Mapping[str, Any],
    effective_at: dt.datetime,
    recorded_at: dt.datetime,
    prev_hash: str,
) -> dict[str, Any]:
    """An events row, its payload encoded once: the canonical text is hashed and stored as it is
    (read back, it is the JSON-native payload: dates as ISO text)."""
    text = canonical.Encoded(canonical.dumps(payload))
    return {
        "case_id": case_id,
        "seq": seq,
        "kind": kind,
        "actor": actor,
        "payload": text,
        "effective_at": effective_at,
        "recorded_at": recorded_at,
        "prev_hash": prev_hash,
        "hash": _chained_hash(
            case_id, seq, kind, actor, text, effective_at, recorded_at, prev_hash
        ),
    }


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


# ---------------------------------------------------------------------------------------------
# The engine


class CaseEngine:
    """Runs cases of registered definitions against one database and one working-day calendar."""

    def __init__(
        self,
        db: Engine,
        calendar: WorkCalendar,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.db = db
        self.calendar = calendar
        self.clock = clock
        self._powers: dict[str, CompiledPower] = {}

    # -- definitions ---------------------------------------------------------------------

    def register(self, powers: Iterable[CompiledPower]) -> list[CompiledPower]:
        """Record definition versions the store has not seen; return the newly registered ones.

        A code and version already registered with other content is refused: a changed
        definition needs a new version number, or running cases would lose their chart.
        """
        added: list[CompiledPower] = []
        with store.transaction(self.db) as db:
            for power in powers:
                definition = power.definition
                row = db.execute(
                    sa.select(store.definition_versions.c.digest).where(
                        store.definition_versions.c.code == definition.code,
                        store.definition_versions.c.version == definition.version,
                    )
                ).first()
                if row is not None:
                    if row.digest != power.digest:
                        raise CaseError(
                            f"{power.file}: {definition.code} version {definition.version} is "
                            "already registered with different content; give the changed "
                            "definition a new version number"
                        )
                    continue
                if not power.source.text:
                    raise CaseError(f"{power.file}: the definition text is not available")
                db.execute(
                    store.definition_versions.insert().values(
                        digest=power.digest,
                        code=definition.code,
                        version=definition.version,
                        effective=definition.effective,
                        name=definition.name,
                        category=definition.category,
                        file=power.file,
                        source=power.source.text,
                        registered_at=self.clock(),
                    )
                )
                self._powers[power.digest] = power
                added.append(power)
        return added

    def power(self, digest: str) -> CompiledPower:
        """The compiled definition version a case is pinned to (loaded from the store once)."""
        power = self._powers.get(digest)
        if power is not None:
            return power
        with _reading(self.db) as tx:
            return self._pinned(tx, digest)

    def _pinned(self, tx: store.DirectTransaction, digest: str) -> CompiledPower:
        """``power`` inside an open transaction (read through it, not a second connection)."""
        power = self._powers.get(digest)
        if power is not None:
            return power
        row = tx.first(tx.q.definition, {"digest": digest})
        if row is None:
            raise StoreError(f"definition version {digest} is not in the store")
        loaded = parse_definition(row.source, f"{row.file}@{row.version}")
        power = compile_definition(loaded)
        self._powers[digest] = power
        return power

    def newest(self, code: str) -> CompiledPower:
        """The newest registered version of a code: what new cases open on."""
        with _reading(self.db) as tx:
            rows = tx.all(tx.q.versions, {"code": code})
            if not rows:
                known = [r.code for r in tx.all(tx.q.codes, {})]
                raise UnknownDefinition(
                    f"no definition with code {code} is registered{did_you_mean(code, known)}"
                )
            newest = max(rows, key=lambda row: _version_key(row.version))
            return self._pinned(tx, newest.digest)

    # -- staff ---------------------------------------------------------------------------

    def add_officer(
        self, officer: str, posts: Sequence[str], qualifications: Sequence[str] = ()
    ) -> None:
        """Add an officer to the roster, or replace their posts and qualifications."""
        if not officer.strip():
            raise CaseError("an officer needs a name or id")
        values = {
            "posts": sorted(set(posts)),
            "qualifications": sorted(set(qualifications)),
            "updated_at": self.clock(),
        }
        with store.transaction(self.db) as db:
            updated = db.execute(
                store.officers.update().where(store.officers.c.officer == officer).values(**values)
            )
            if updated.rowcount == 0:
                db.execute(store.officers.insert().values(officer=officer, **values))

    def officers(self) -> list[tuple[str, list[str], list[str]]]:
        """The roster: (officer, posts, qualifications), sorted by officer."""
        with self.db.connect() as db:
            rows = db.execute(sa.select(store.officers).order_by(store.officers.c.officer)).all()
        return [(row.officer, list(row.posts), list(row.qualifications)) for row in rows]

    def _roster(
        self, tx: store.DirectTransaction, names: Sequence[str]
    ) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        values = {f"officer_{index}": name for index, name in enumerate(names)}
        rows = tx.rows(tx.q.officers(len(names)), values)
        return {officer: (_names(posts), _names(quals)) for officer, posts, quals in rows}

    # -- reading -------------------------------------------------------------------------

    def _case_row(self, db: Connection, case_id: int) -> Any:
        row = db.execute(store.SELECT_CASE, {"case_id": case_id}).first()
        if row is None:
            raise UnknownCase(f"no case {case_id}")
        return row

    def _read(self, tx: store.DirectTransaction, case_id: int) -> Any:
        """The case row, read in the transaction that will write it."""
        row = tx.first(tx.q.case, {"case_id": case_id})
        if row is None:
            raise UnknownCase(f"no case {case_id}")
        return row

    def _pauses(self, tx: store.DirectTransaction, case_id: int) -> list[Any]:
        return tx.all(tx.q.pauses, {"case_id": case_id})

    def get(self, case_id: int) -> Case:
        """The case as it stands."""
        with _reading(self.db) as tx:
            return _case(self._read(tx, case_id))

    def show(self, case_id: int) -> CaseView:
        """The case with its step history and its record."""
        with self.db.connect() as db:
            case = _case(self._case_row(db, case_id))
            entries = [
                _entry(row)
                for row in db.execute(
                    sa.select(store.step_entries)
                    .where(store.step_entries.c.case_id == case_id)
                    .order_by(store.step_entries.c.id)
                )
            ]
            if case.status != "closed":
                entries.append(
                    StepEntry(
                        step=case.state,
                        entered_at=case.step_entered_at,
                        left_at=None,
                        action=None,
                        officers=[],
                        due=case.step_due,
                        overdue_at=case.step_overdue_at,
                        provisional=case.step_provisional,
                    )
                )
            events = [_event(row) for row in self._event_rows(db, case_id)]
        return CaseView(case, entries, events)

    def _event_rows(self, db: Connection, case_id: int) -> list[Any]:
        return list(
            db.execute(
                sa.select(store.events)
                .where(store.events.c.case_id == case_id)
                .order_by(store.events.c.seq, store.events.c.id)
            )
        )

    def list_cases(
        self,
        *,
        code: str | None = None,
        state: str | None = None,
        overdue_on: dt.date | None = None,
        limit: int | None = None,
    ) -> list[Case]:
        """Cases filtered by power, current step, or past a legal or step deadline on a date."""
        query = sa.select(store.cases).order_by(store.cases.c.id)
        if code is not None:
            query = query.where(store.cases.c.code == code)
        if state is not None:
            query = query.where(store.cases.c.state == state)
        if overdue_on is not None:
            query = query.where(
                store.cases.c.status == "open",
                store.cases.c.paused_since.is_(None),
                sa.or_(
                    store.cases.c.legal_due < overdue_on,
                    store.cases.c.step_overdue_at
                    <= overdue_from(overdue_on - dt.timedelta(days=1)),
                ),
            )
        if limit is not None:
            query = query.limit(limit)
        with self.db.connect() as db:
            return [_case(row) for row in db.execute(query)]

    def actions(self, case_id: int) -> list[AvailableAction]:
        """The actions the definition offers from the case's current step."""
        case = self.get(case_id)
        if case.status == "closed":
            return []
        power = self.power(case.digest)
        return [
            AvailableAction(
                action=exit_.action.action,
                name=exit_.action.name,
                to=exit_.target,
                post=power.acting_post(exit_),
                condition=exit_.action.condition,
                guard=exit_.action.guard,
                guard_holds=exit_.action.guard is None
                or GUARDS[exit_.action.guard].test(case.facts),
            )
            for exit_ in power.exits(case.state)
        ]

    # -- deadlines -----------------------------------------------------------------------

    def _add(
        self, start: dt.date | dt.datetime, limit: Duration, value: int, pauses: Sequence[Pause]
    ) -> Deadline:
        return self.calendar.add(
            start,
            value,
            limit.unit,
            roll_if_off=limit.roll_if_off,
            pauses=pauses,
            provisional=True,
        )

    def _case_deadlines(
        self,
        power: CompiledPower,
        clock_started_on: dt.date | None,
        extended_by: int,
        pauses: Sequence[Pause],
    ) -> dict[str, Any]:
        if clock_started_on is None:
            return {}
        limits = power.definition.limits
        legal = self._add(clock_started_on, limits.legal, limits.legal.value, pauses)
        if extended_by and limits.extension is not None:
            legal = self._extend(legal, limits.extension.max, extended_by, pauses)
        values: dict[str, Any] = {"legal_due": legal.due, "legal_provisional": legal.provisional}
        if limits.promised is not None:
            promised = self._add(clock_started_on, limits.promised, limits.promised.value, pauses)
            values |= {"promised_due": promised.due, "promised_provisional": promised.provisional}
        return values

    def _extend(
        self, legal: Deadline, unit_of: Duration, by: int, pauses: Sequence[Pause]
    ) -> Deadline:
        extended = self._add(legal.due, unit_of, by, pauses)
        return Deadline(
            extended.due,
            provisional=legal.provisional or extended.provisional,
            uncovered_years=tuple(sorted(set(legal.uncovered_years + extended.uncovered_years))),
        )

    def _step_deadline(
        self, step: Step, entered_at: dt.datetime, pauses: Sequence[Pause]
    ) -> dict[str, Any]:
        if step.limit.unit is TimeUnit.HOUR:
            deadline = self._add(entered_at, step.limit, step.limit.value, pauses)
            assert deadline.due_at is not None
            return {
                "step_due": deadline.due,
                "step_overdue_at": deadline.due_at,
                "step_provisional": False,
            }
        deadline = self._add(local_date(entered_at), step.limit, step.limit.value, pauses)
        return {
            "step_due": deadline.due,
            "step_overdue_at": overdue_from(deadline.due),
            "step_provisional": deadline.provisional,
        }

    @staticmethod
    def _intervals(pause_rows: Iterable[Any], *, suspensions_only: bool = False) -> list[Pause]:
        """Paused date intervals: from the day a pause starts to the day before it ends."""
        intervals = []
        for row in pause_rows:
            if suspensions_only and row.step is not None:
                continue
            if row.ended_on is None or row.ended_on <= row.started_on:
                continue
            intervals.append(Pause(row.started_on, row.ended_on - dt.timedelta(days=1)))
        return intervals

    # -- writing -------------------------------------------------------------------------

    def _commit(
        self,
        case_row: Any,
        write: _Write,
        at: dt.datetime,
        *,
        extra: Callable[[store.DirectTransaction], None] | None = None,
        tx: store.DirectTransaction | None = None,
    ) -> Case:
        """Write an operation: the case row (checked against its lock version) and its events.

        Written in ``tx``, the operation's transaction that read the case, or in a new one.
        """
        if tx is None:
            with _writing(self.db) as tx:
                return self._commit(case_row, write, at, extra=extra, tx=tx)
        recorded_at = self.clock()
        seq, prev = case_row.last_seq, case_row.last_hash or GENESIS
        event_rows = []
        for kind, actor, payload in write.events:
            seq += 1
            event_rows.append(
                _event_row(case_row.id, seq, kind, actor, payload, at, recorded_at, prev)
            )
            prev = event_rows[-1]["hash"]
        # Only what changes is written (see store.update_case). alert_check_at always is: the
        # monitor moves it without taking the lock version, and deadlines may have moved, so the
        # monitor must look at this case again at its next sweep.
        changed = {
            name: value
            for name, value in write.case_values.items()
            if value != getattr(case_row, name)
        }
        changed["alert_check_at"] = at
        changed |= {"lock_version": case_row.lock_version + 1, "last_seq": seq, "last_hash": prev}
        # The lock version still guards the write: on PostgreSQL another transaction may have
        # changed the case since it was read (on SQLite the write lock taken at BEGIN forbids
        # it), and a row read earlier (the case as an officer last saw it) may be stale.
        updated = tx.run(
            tx.q.update_case(tuple(changed)),
            {"b_id": case_row.id, "b_version": case_row.lock_version, **changed},
        )
        if updated != 1:
            raise StaleCase(
                f"case {case_row.id} was changed by someone else since it was read "
                f"(version {case_row.lock_version}); read it again and retry"
            )
        if extra is not None:
            extra(tx)
        for event_row in event_rows:
            tx.run(tx.q.insert_event, event_row)
        return _case(case_row, changed)

    def _refuse(
        self,
        case_row: Any,
        at: dt.datetime,
        officers: Sequence[str],
        what: str,
        error: CaseError,
        *,
        tx: store.DirectTransaction,
    ) -> NoReturn:
        """Record a refused act (it changes nothing else), commit the record, raise the refusal."""
        payload = {"attempted": what, "officers": list(officers), "reason": str(error)}
        write = _Write(events=[("refused", ",".join(officers) or None, payload)])
        self._commit(case_row, write, at, tx=tx)
        tx.commit()
        raise error

    def _authorize(
        self,
        tx: store.DirectTransaction,
        power: CompiledPower,
        post_id: str,
        step: Step | None,
        officers: Sequence[str],
        minimum: int = 1,
    ) -> NotAuthorized | None:
        """Why these officers may not act for the post, or None when they may."""
        post = power.post(post_id)
        required = set(post.qualifications) | (set(step.qualifications) if step else set())
        distinct = list(dict.fromkeys(officers))
        if len(distinct) < minimum:
            return NotAuthorized(
                f"{step.name if step else post.name} needs at least {minimum} distinct officers "
                f"holding the post {post_id} ({post.name}); got {len(distinct)}"
            )
        roster = self._roster(tx, distinct)
        for officer in distinct:
            if officer not in roster:
                return NotAuthorized(
                    f"{officer} is not on the staff roster"
                    f"{did_you_mean(officer, self._all_officers(tx))}"
                )
            posts, qualifications = roster[officer]
            if post_id not in posts:
                return NotAuthorized(
                    f"{officer} does not hold the post {post_id} ({post.name}) that performs this "
                    f"act; {officer} holds: {', '.join(sorted(posts)) or 'no post'}"
                )
            missing = required - qualifications
            if missing:
                return NotAuthorized(
                    f"{officer} lacks the qualification {', '.join(sorted(missing))} required for "
                    f"{step.name if step else post.name}"
                )
        return None

    def _all_officers(self, tx: store.DirectTransaction) -> list[str]:
        return [row.officer for row in tx.all(tx.q.officer_names, {})]

    # -- operations ----------------------------------------------------------------------

    def open_case(
        self,
        code: str,
        *,
        officer: str,
        at: dt.datetime,
        party: str | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> Case:
        """Open a case on the newest version of a power, entering its start step."""
        _require_aware(at)
        power = self.newest(code)
        start = power.start_steps[0]
        entry = {"step_entered_at": at, **self._step_deadline(start, at, [])}
        clock_started_on = (
            local_date(at) if power.definition.limits.clock_starts in (None, start.id) else None
        )
        case_values: dict[str, Any] = {
            "code": power.code,
            "digest": power.digest,
            "version": power.definition.version,
            "party": party,
            "facts": canonical.plain(dict(facts or {})),
            "state": start.id,
            "status": "open",
            "opened_at": at,
            "clock_started_on": clock_started_on,
            "lock_version": 0,
            "last_seq": 0,
            "last_hash": "",
            "alert_check_at": at,
            **entry,
            **self._case_deadlines(power, clock_started_on, 0, []),
        }
        if start.pause is not None:
            case_values["paused_since"] = local_date(at)
        with _writing(self.db) as tx:
            refusal = self._authorize(tx, power, start.post, start, [officer])
            if refusal is not None:
                raise refusal
            inserted = tx.first(tx.q.insert_case, case_values)
            assert inserted is not None, "INSERT … RETURNING returns the new row"
            case_id = inserted.id
            if start.pause is not None:
                tx.run(
                    tx.q.insert_pause,
                    {
                        "case_id": case_id,
                        "step": start.id,
                        "reason": start.pause.reason,
                        "basis": start.pause.basis.label() if start.pause.basis else None,
                        "party_notified": start.pause.written_notice,
                        "started_on": local_date(at),
                    },
                )
            payload = {
                "code": power.code,
                "version": power.definition.version,
                "digest": power.digest,
                "party": party,
                "step": start.id,
                "facts": case_values["facts"],
                "deadlines": _deadline_payload(case_values, entry),
            }
            event = _event_row(case_id, 1, "opened", officer, payload, at, self.clock(), GENESIS)
            tx.run(tx.q.insert_event, event)
            tx.run(tx.q.update_chain, {"b_id": case_id, "last_seq": 1, "last_hash": event["hash"]})
            # Read back in the same transaction: the case as stored, without another round trip.
            return _case(self._read(tx, case_id))

    def act(
        self,
        case_id: int,
        action: str,
        *,
        officers: Sequence[str],
        at: dt.datetime,
        note: str | None = None,
        facts: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
        decision: PenaltyDecision | None = None,
    ) -> Case:
        """Perform an action: leave the current step and enter the action's target step.

        A penalty decision on a power with 裁量基准 needs ``decision``; a step with a waiting
        period (``min_wait``, ``advance_notice``) cannot be left before it ends; a step marked
        ``no_night_or_holiday`` is not carried out at night or on a rest day unless urgent.
        """
        _require_aware(at)
        # One transaction reads the case and writes the act (no separate read transaction).
        with _writing(self.db) as tx:
            row = self._read(tx, case_id)
            _check_version(row, expected_version)
            if row.status == "closed":
                raise IllegalTransition(f"case {case_id} is closed; no action is allowed")
            power = self._pinned(tx, row.digest)
            exit_ = power.exit(row.state, action)
            if exit_ is None:
                allowed = ", ".join(e.action.action for e in power.exits(row.state)) or "none"
                names = [e.action.action for e in power.exits(row.state)]
                raise IllegalTransition(
                    f"case {case_id} is at step {row.state}, where {action} is not an action"
                    f"{did_you_mean(action, names)}; allowed now: {allowed}"
                )
            if row.status == "suspended":
                raise IllegalTransition(
                    f"case {case_id} is suspended (中止) since {row.paused_since}; resume it first"
                )
            merged = dict(row.facts) | (canonical.plain(dict(facts)) if facts else {})
            guard = exit_.action.guard
            if guard is not None and not GUARDS[guard].test(merged):
                raise IllegalTransition(
                    f"case {case_id}: the condition of {action} does not hold: "
                    f"{GUARDS[guard].description} (facts: {', '.join(GUARDS[guard].facts)})"
                )
            step = power.step(row.state)
            self._check_timing(case_id, step, row.step_entered_at, at, merged)
            decided = self._decide(power, exit_, merged, decision)
            if decided is not None:
                merged["decision"] = decided
            acting_post = power.acting_post(exit_)
            # The step's minimum of officers binds those who do its work (its own post); an
            # approval by another post (e.g. the head ratifying) needs that post's holder only.
            minimum = step.min_officers if acting_post == step.post else 1
            refusal = self._authorize(
                tx, power, acting_post, step if acting_post == step.post else None, officers,
                minimum,
            )
            if refusal is not None:
                self._refuse(row, at, officers, f"act {action}", refusal, tx=tx)
            # Pauses matter only when a clock starts or a paused step ends: then the case limits
            # are computed again. A step entered now is not affected by pauses already over.
            target = power.step(exit_.target)
            clock_starts = (
                row.clock_started_on is None and power.definition.limits.clock_starts == target.id
            )
            pause_rows = (
                self._pauses(tx, case_id) if step.pause is not None or clock_starts else None
            )
            return self._move(row, power, exit_, pause_rows, at, officers, note, merged, tx=tx)

    def _check_timing(
        self,
        case_id: int,
        step: Step,
        entered_at: dt.datetime,
        at: dt.datetime,
        facts: Mapping[str, Any],
    ) -> None:
        """Refuse leaving a step before its waiting period, or at night or on a rest day."""
        if step.min_wait is None and step.advance_notice is None and not step.no_night_or_holiday:
            return
        entered_on = local_date(entered_at)
        for wait, strict, what in (
            (step.min_wait, True, "最短等待期"),
            (step.advance_notice, False, "提前通知期"),
        ):
            if wait is None:
                continue
            ends = self._add(entered_on, wait, wait.value, []).due
            too_early = local_date(at) <= ends if strict else local_date(at) < ends
            if too_early:
                first = ends + dt.timedelta(days=1) if strict else ends
                basis = f" ({wait.basis.label()})" if wait.basis else ""
                raise IllegalTransition(
                    f"case {case_id}: step {step.id} ({step.name}) has a {what} of {wait.label()}"
                    f" from {entered_on}{basis}; it can be completed from {first} on"
                )
        if step.no_night_or_holiday and not facts.get("urgent"):
            moment = at.astimezone(SHANGHAI)
            night = moment.time() >= NIGHT_STARTS or moment.time() < NIGHT_ENDS
            rest_day = not self.calendar.is_workday(moment.date(), provisional=True)
            if night or rest_day:
                when = "at night (22:00–06:00)" if night else "on a rest day"
                raise IllegalTransition(
                    f"case {case_id}: step {step.id} ({step.name}) may not be carried out {when} "
                    "unless urgent (行政强制法 art. 43; record the fact urgent=true)"
                )

    @staticmethod
    def _decide(
        power: CompiledPower,
        exit_: Exit,
        facts: Mapping[str, Any],
        decision: PenaltyDecision | None,
    ) -> dict[str, Any] | None:
        """Check a penalty decision against the 裁量基准; the record of it, or None."""
        if not _imposes_penalty(power, exit_):
            if decision is not None:
                raise CaseError(f"{exit_.action.action} decides no penalty; drop the decision")
            return None
        if decision is None:
            violations = ", ".join(b.violation for b in power.definition.benchmarks)
            raise CaseError(
                f"{exit_.action.action} imposes a penalty: "
                "record the decision against the 裁量基准 "
                f"(violation, circumstances, amount); violations: {violations}"
            )
        benchmark = find_benchmark(power.definition, decision.violation)
        assessment = assess(benchmark, decision.circumstances, decision.base)
        tier_range = assessment.allowed.label() if assessment.allowed else "不罚款"
        record: dict[str, Any] = {
            "violation": decision.violation,
            "circumstances": list(decision.circumstances),
            "base": {name: str(value) for name, value in decision.base.items()},
            "tier": assessment.tier.value,
            "tier_range": tier_range,
            "statutory_range": assessment.statutory.label(),
            "reason": (decision.reason or "").strip() or None,
        }
        if decision.amount is None:
            return record | {"amount": None, "within_tier": True}
        placement = place(benchmark, decision.amount, decision.base)
        amount = placement.fine
        in_tier = assessment.allowed is not None and amount in assessment.allowed
        mitigated = assessment.tier is TierKind.MITIGATED and in_tier
        if not placement.within_statutory and not mitigated:
            raise CaseError(
                f"the fine of {amount} 元 is outside the statutory range "
                f"{placement.statutory.label()} of {decision.violation} (行政处罚法 art. 34; "
                "below it only as 减轻 on its grounds)"
            )
        if not in_tier and record["reason"] is None:
            raise CaseError(
                f"the fine of {amount} 元 lies outside the {assessment.tier.value} tier "
                f"({tier_range}) the circumstances call for: give a written 裁量理由 (--reason)"
            )
        proposed = facts.get("proposed_amount")
        if isinstance(proposed, int | float | str) and amount > Decimal(str(proposed)):
            raise CaseError(
                f"the fine of {amount} 元 is heavier than the {proposed} 元 proposed in the 告知: "
                "no heavier penalty because the party stated or defended (行政处罚法 art. 45)"
            )
        return record | {"amount": str(amount), "within_tier": in_tier}

    def apply_deemed(self, at: dt.datetime) -> list[int]:
        """Take the deemed actions (视为) whose step limit has run out by ``at``; the case ids.

        The action takes effect when the limit ran out. A deemed action that starts the case
        clock starts it at the step's own start (逾期不告知补正的，自收到申请材料之日起即为受理,
        行政许可法 art. 32).
        """
        _require_aware(at)
        deemed_states: set[str] = set()
        with self.db.connect() as db:
            digests = [r.digest for r in db.execute(sa.select(store.definition_versions.c.digest))]
        for digest in digests:
            power = self.power(digest)
            deemed_states |= {
                s.id for s in power.definition.steps if any(a.deemed for a in s.actions)
            }
        if not deemed_states:
            return []
        with self.db.connect() as db:
            candidates = [
                r.id
                for r in db.execute(
                    sa.select(store.cases.c.id)
                    .where(
                        store.cases.c.status == "open",
                        store.cases.c.paused_since.is_(None),
                        store.cases.c.step_overdue_at <= at,
                        store.cases.c.state.in_(sorted(deemed_states)),
                    )
                    .order_by(store.cases.c.id)
                )
            ]
        taken = []
        for case_id in candidates:
            with _writing(self.db) as tx:
                row = self._read(tx, case_id)
                power = self._pinned(tx, row.digest)
                exit_ = next((e for e in power.exits(row.state) if e.action.deemed), None)
                if row.status != "open" or exit_ is None or row.step_overdue_at > at:
                    continue
                step = power.step(row.state)
                target = power.step(exit_.target)
                clock_starts = (
                    row.clock_started_on is None
                    and power.definition.limits.clock_starts == target.id
                )
                pause_rows = (
                    self._pauses(tx, case_id) if step.pause is not None or clock_starts else None
                )
                self._move(
                    row, power, exit_, pause_rows, row.step_overdue_at, [SYSTEM],
                    f"视为{exit_.action.name}：{step.name}期限届满", dict(row.facts),
                    tx=tx, clock_from=local_date(row.step_entered_at) if clock_starts else None,
                )
            taken.append(case_id)
        return taken

    def _move(
        self,
        row: Any,
        power: CompiledPower,
        exit_: Exit,
        pause_rows: list[Any] | None,
        at: dt.datetime,
        officers: Sequence[str],
        note: str | None,
        facts: dict[str, Any],
        *,
        tx: store.DirectTransaction | None = None,
        clock_from: dt.date | None = None,
    ) -> Case:
        today = local_date(at)
        source, target = power.step(exit_.source), power.step(exit_.target)
        ending_pause = None
        if pause_rows is not None:
            ending_pause = next(
                (p for p in pause_rows if p.step == source.id and p.ended_on is None), None
            )
            if ending_pause is not None:
                pause_rows = [p if p is not ending_pause else _ended(p, today) for p in pause_rows]
        new_entry = {"step_entered_at": at, **self._step_deadline(target, at, [])}
        left_entry = _left_entry(row, at, exit_.action.action, officers)
        clock_started_on = row.clock_started_on
        if clock_started_on is None and power.definition.limits.clock_starts == target.id:
            clock_started_on = clock_from or today
        values: dict[str, Any] = {
            "state": target.id,
            "facts": facts,
            "clock_started_on": clock_started_on,
            **new_entry,
        }
        if pause_rows is not None:
            values |= self._case_deadlines(
                power, clock_started_on, row.extended_by, self._intervals(pause_rows)
            )
        if exit_.action.outcome is not None:
            values["outcome"] = exit_.action.outcome
        values["paused_since"] = today if target.pause is not None else None
        payload = {
            "action": exit_.action.action,
            "from": source.id,
            "to": target.id,
            "officers": list(officers),
            "note": note,
            "outcome": exit_.action.outcome,
            "decision": (
                facts.get("decision")
                if facts.get("decision") != row.facts.get("decision")
                else None
            ),
            "facts": facts if facts != row.facts else None,
            "deadlines": _deadline_payload(_limits_after(row, values), new_entry),
        }
        write = _Write(values, [("acted", ",".join(officers), payload)])

        def steps_and_pauses(tx: store.DirectTransaction) -> None:
            tx.run(tx.q.insert_entry, left_entry)
            if ending_pause is not None:
                tx.run(tx.q.end_pause, {"b_id": ending_pause.id, "ended_on": today})
            if target.pause is not None:
                tx.run(
                    tx.q.insert_pause,
                    {
                        "case_id": row.id,
                        "step": target.id,
                        "reason": target.pause.reason,
                        "basis": target.pause.basis.label() if target.pause.basis else None,
                        "party_notified": target.pause.written_notice,
                        "started_on": today,
                    },
                )

        return self._commit(row, write, at, extra=steps_and_pauses, tx=tx)

    def suspend(
        self,
        case_id: int,
        *,
        officer: str,
        at: dt.datetime,
        reason: str,
        basis: str,
        party_notified: bool,
        expected: Duration | None = None,
        expected_version: int | None = None,
    ) -> Case:
        """Stop the clock for a special procedure or a 中止; the step's post decides."""
        _require_aware(at)
        if not reason.strip() or not basis.strip():
            raise CaseError("a suspension needs a reason and its legal basis")
        with _writing(self.db) as tx:
            row = self._read(tx, case_id)
            _check_version(row, expected_version)
            if row.status != "open":
                raise CaseError(
                    f"case {case_id} is {row.status}; only an open case can be suspended"
                )
            if row.paused_since is not None:
                raise CaseError(
                    f"the clock of case {case_id} is already stopped since {row.paused_since}"
                )
            power = self._pinned(tx, row.digest)
            step = power.step(row.state)
            refusal = self._authorize(tx, power, step.post, None, [officer])
            if refusal is not None:
                self._refuse(row, at, [officer], "suspend", refusal, tx=tx)
            today = local_date(at)
            payload = {
                "reason": reason,
                "basis": basis,
                "party_notified": party_notified,
                "expected": expected.model_dump(mode="json") if expected else None,
                "step": row.state,
            }
            write = _Write(
                {"status": "suspended", "paused_since": today}, [("suspended", officer, payload)]
            )

            def add_pause(tx: store.DirectTransaction) -> None:
                tx.run(
                    tx.q.insert_pause,
                    {
                        "case_id": case_id,
                        "step": None,
                        "reason": reason,
                        "basis": basis,
                        "expected_value": expected.value if expected else None,
                        "expected_unit": expected.unit.value if expected else None,
                        "party_notified": party_notified,
                        "started_on": today,
                    },
                )

            return self._commit(row, write, at, extra=add_pause, tx=tx)

    def resume(
        self, case_id: int, *, officer: str, at: dt.datetime, expected_version: int | None = None
    ) -> Case:
        """Restart a suspended clock; the case's and the current step's deadlines move out."""
        _require_aware(at)
        with _writing(self.db) as tx:
            row = self._read(tx, case_id)
            _check_version(row, expected_version)
            if row.status != "suspended":
                raise CaseError(f"case {case_id} is {row.status}, not suspended")
            power = self._pinned(tx, row.digest)
            step = power.step(row.state)
            refusal = self._authorize(tx, power, step.post, None, [officer])
            if refusal is not None:
                self._refuse(row, at, [officer], "resume", refusal, tx=tx)
            pause_rows = self._pauses(tx, case_id)
            today = local_date(at)
            open_pause = next(p for p in pause_rows if p.step is None and p.ended_on is None)
            pause_rows = [p if p is not open_pause else _ended(p, today) for p in pause_rows]
            step_values = self._step_deadline(
                step, row.step_entered_at, self._intervals(pause_rows, suspensions_only=True)
            )
            values = {
                **step_values,
                "status": "open",
                "paused_since": today if step.pause is not None else None,
                **self._case_deadlines(
                    power, row.clock_started_on, row.extended_by, self._intervals(pause_rows)
                ),
            }
            payload = {
                "paused_from": open_pause.started_on.isoformat(),
                "deadlines": _deadline_payload(_limits_after(row, values), step_values),
            }
            write = _Write(values, [("resumed", officer, payload)])

            def end_pause(tx: store.DirectTransaction) -> None:
                tx.run(tx.q.end_pause, {"b_id": open_pause.id, "ended_on": today})

            return self._commit(row, write, at, extra=end_pause, tx=tx)

    def extend(
        self,
        case_id: int,
        *,
        officer: str,
        at: dt.datetime,
        value: int,
        reason: str,
        party_notified: bool,
        expected_version: int | None = None,
    ) -> Case:
        """Extend the legal limit (延长): only by the approving post, within the maximum."""
        _require_aware(at)
        with _writing(self.db) as tx:
            row = self._read(tx, case_id)
            _check_version(row, expected_version)
            power = self._pinned(tx, row.digest)
            extension = power.definition.limits.extension
            if extension is None:
                raise CaseError(f"{power.code} allows no extension of its legal limit")
            if row.status == "closed":
                raise CaseError(f"case {case_id} is closed")
            if value <= 0:
                raise CaseError("an extension must be a positive number of units")
            if row.extended_by + value > extension.max.value:
                raise CaseError(
                    f"case {case_id} may be extended by at most {extension.max.label()} in all; "
                    f"already extended by {row.extended_by}, asked for {value} more"
                )
            if not reason.strip():
                raise CaseError("an extension needs its reasons (延长理由)")
            if extension.notify_party and not party_notified:
                raise CaseError(
                    f"{power.code} requires the party to be told of the extension and its reasons: "
                    "record it once the notice has been sent (--party-notified)"
                )
            refusal = self._authorize(tx, power, extension.approver, None, [officer])
            if refusal is not None:
                self._refuse(row, at, [officer], f"extend by {value}", refusal, tx=tx)
            pause_rows = self._pauses(tx, case_id)
            extended_by = row.extended_by + value
            values = {
                "extended_by": extended_by,
                **self._case_deadlines(
                    power, row.clock_started_on, extended_by, self._intervals(pause_rows)
                ),
            }
            payload = {
                "value": value,
                "unit": extension.max.unit.value,
                "reason": reason,
                "party_notified": party_notified,
                "legal_due": values.get("legal_due"),
            }
            write = _Write(values, [("extended", officer, payload)])
            unit = extension.max.unit.value

            def add_extension(tx: store.DirectTransaction) -> None:
                tx.run(
                    tx.q.insert_extension,
                    {
                        "case_id": case_id,
                        "officer": officer,
                        "value": value,
                        "unit": unit,
                        "reason": reason,
                        "party_notified": party_notified,
                        "granted_at": at,
                    },
                )

            return self._commit(row, write, at, extra=add_extension, tx=tx)

    def waive(
        self,
        case_id: int,
        right: str,
        *,
        officer: str,
        at: dt.datetime,
        statement: str,
        expected_version: int | None = None,
    ) -> Case:
        """Record that the party waived a right (e.g. 听证) the current step gives them."""
        _require_aware(at)
        if not statement.strip():
            raise CaseError("a waiver needs the party's statement (放弃声明)")
        with _writing(self.db) as tx:
            row = self._read(tx, case_id)
            _check_version(row, expected_version)
            power = self._pinned(tx, row.digest)
            step = power.step(row.state)
            offered = [r.right.value for r in step.rights]
            if right not in offered:
                raise CaseError(
                    f"step {step.id} of case {case_id} gives no right {right}"
                    f"{did_you_mean(right, offered)}; rights here: {', '.join(offered) or 'none'}"
                )
            refusal = self._authorize(tx, power, step.post, None, [officer])
            if refusal is not None:
                self._refuse(row, at, [officer], f"record waiver of {right}", refusal, tx=tx)
            facts = dict(row.facts)
            facts["waived"] = sorted(set(facts.get("waived", [])) | {right})
            if right == "听证":
                facts["hearing_requested"] = False
            write = _Write(
                {"facts": facts},
                [("waived", officer, {"right": right, "step": step.id, "statement": statement})],
            )
            return self._commit(row, write, at, tx=tx)

    def close(
        self, case_id: int, *, officer: str, at: dt.datetime, expected_version: int | None = None
    ) -> Case:
        """Close a case that has reached a final step (办结): the final step's work is done."""
        _require_aware(at)
        with _writing(self.db) as tx:
            row = self._read(tx, case_id)
            _check_version(row, expected_version)
            power = self._pinned(tx, row.digest)
            step = power.step(row.state)
            if row.status == "closed":
                raise CaseError(f"case {case_id} is already closed")
            if not step.final:
                allowed = ", ".join(e.action.action for e in power.exits(row.state))
                raise IllegalTransition(
                    f"case {case_id} is at step {step.id}, which is not final; "
                    f"act first ({allowed})"
                )
            refusal = self._authorize(tx, power, step.post, step, [officer])
            if refusal is not None:
                self._refuse(row, at, [officer], "close", refusal, tx=tx)
            write = _Write(
                {
                    "status": "closed",
                    "closed_at": at,
                    "paused_since": None,
                    "step_overdue_at": None,
                },
                [("closed", officer, {"step": step.id, "outcome": row.outcome})],
            )

            def leave(tx: store.DirectTransaction) -> None:
                tx.run(tx.q.insert_entry, _left_entry(row, at, "close", [officer]))

            return self._commit(row, write, at, extra=leave, tx=tx)

    def recompute_provisional(self, at: dt.datetime) -> list[int]:
        """Recompute provisional deadlines with the current calendar; record each change.

        Run after a year's holiday notice is imported. Returns the ids of the cases changed.
        """
        with self.db.connect() as db:
            ids = [
                r.id
                for r in db.execute(
                    sa.select(store.cases.c.id)
                    .where(
                        store.cases.c.status != "closed",
                        sa.or_(
                            store.cases.c.legal_provisional.is_(True),
                            store.cases.c.promised_provisional.is_(True),
                            store.cases.c.step_provisional.is_(True),
                        ),
                    )
                    .order_by(store.cases.c.id)
                )
            ]
        changed = []
        for case_id in ids:
            if self._recompute(case_id, at):
                changed.append(case_id)
        return changed

    def _recompute(self, case_id: int, at: dt.datetime) -> bool:
        with _writing(self.db) as tx:
            row = self._read(tx, case_id)
            power = self._pinned(tx, row.digest)
            pause_rows = self._pauses(tx, case_id)
            values = self._case_deadlines(
                power, row.clock_started_on, row.extended_by, self._intervals(pause_rows)
            )
            values |= self._step_deadline(
                power.step(row.state),
                row.step_entered_at,
                self._intervals(pause_rows, suspensions_only=True),
            )
            before = {key: getattr(row, key) for key in values}
            if before == values:
                return False
            payload = {
                "reason": "calendar updated", "step": row.state, "before": before, "after": values
            }
            write = _Write(values, [("deadlines-recomputed", None, payload)])
            self._commit(row, write, at, tx=tx)
            return True

    # -- the record ----------------------------------------------------------------------

    def verify_chain(self, case_id: int | None = None) -> list[ChainProblem]:
        """Check every event's hash and link; an empty list means the record is intact."""
        problems: list[ChainProblem] = []
        with self.db.connect() as db:
            if case_id is not None:
                rows = [self._case_row(db, case_id)]
            else:
                rows = list(db.execute(sa.select(store.cases).order_by(store.cases.c.id)))
            for row in rows:
                problems.extend(_verify_case(row, self._event_rows(db, row.id)))
        return problems


# ---------------------------------------------------------------------------------------------
# Helpers


_REFUSALS = ("不予", "驳回", "拒绝", "移送", "撤销")


def _imposes_penalty(power: CompiledPower, exit_: Exit) -> bool:
    """Whether an exit decides a penalty that the power's 裁量基准 govern."""
    outcome = exit_.action.outcome or ""
    return (
        bool(power.definition.benchmarks)
        and "处罚" in outcome
        and not any(word in outcome for word in _REFUSALS)
    )


def _writing(engine: Engine) -> AbstractContextManager[store.DirectTransaction]:
    """A write transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE)."""
    return store.direct_transaction(engine, write=True)


def _reading(engine: Engine) -> AbstractContextManager[store.DirectTransaction]:
    """A read transaction (one consistent snapshot)."""
    return store.direct_transaction(engine, write=False)


def _require_aware(at: dt.datetime) -> None:
    if at.tzinfo is None:
        raise CaseError(f"the time {at.isoformat()} has no timezone")


def _check_version(row: Any, expected_version: int | None) -> None:
    if expected_version is not None and row.lock_version != expected_version:
        raise StaleCase(
            f"case {row.id} is at version {row.lock_version}, not {expected_version}: "
            "someone else changed it; read it again"
        )


def _ended(pause_row: Any, today: dt.date) -> Any:
    return _PauseView(pause_row.step, pause_row.started_on, today)


@dataclass(frozen=True)
class _PauseView:
    step: str | None
    started_on: dt.date
    ended_on: dt.date | None


_CASE_LIMITS = ("legal_due", "legal_provisional", "promised_due", "promised_provisional")


def _limits_after(row: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """The case limits once an operation's values are written: its own, else the row's."""
    return {key: values[key] if key in values else getattr(row, key) for key in _CASE_LIMITS}


def _left_entry(row: Any, at: dt.datetime, action: str, officers: Sequence[str]) -> dict[str, Any]:
    """The completed stay in the case's current step, as it is written when the case leaves it."""
    return {
        "case_id": row.id,
        "step": row.state,
        "entered_at": row.step_entered_at,
        "left_at": at,
        "action": action,
        "officers": list(officers),
        "due": row.step_due,
        "overdue_at": row.step_overdue_at,
        "provisional": row.step_provisional,
    }


def _deadline_payload(case_values: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    # Dates already as the text the record holds.
    return {
        "step_due": canonical.text_of(entry.get("step_due")),
        "step_overdue_at": canonical.text_of(entry.get("step_overdue_at")),
        "step_provisional": entry.get("step_provisional", False),
        "legal_due": canonical.text_of(case_values.get("legal_due")),
        "legal_provisional": case_values.get("legal_provisional", False),
        "promised_due": canonical.text_of(case_values.get("promised_due")),
        "promised_provisional": case_values.get("promised_provisional", False),
    }


def _names(value: Any) -> frozenset[str]:
    """A roster list (posts, qualifications) as a set: from the JSON text SQLite returns, parsed
    once per distinct text, or from the list psycopg has already parsed."""
    return _parsed_names(value) if isinstance(value, str) else frozenset(value)


@functools.lru_cache(maxsize=4096)
def _parsed_names(text: str) -> frozenset[str]:
    return frozenset(json.loads(text))


_CASE_FIELDS = tuple(f.name for f in fields(Case))
_CASE_POSITIONS = {name: index for index, name in enumerate(_CASE_FIELDS)}
_case_values = operator.attrgetter(*_CASE_FIELDS)


def _case(row: Any, written: Mapping[str, Any] | None = None) -> Case:
    """The case from its row, with the values just ``written`` over it (no read after a write)."""
    values = list(_case_values(row))
    if written:
        for name, value in written.items():
            position = _CASE_POSITIONS.get(name)
            if position is not None:
                values[position] = value
    facts = _CASE_POSITIONS["facts"]
    values[facts] = dict(values[facts])
    return Case(*values)


def _entry(row: Any) -> StepEntry:
    return StepEntry(
        step=row.step,
        entered_at=row.entered_at,
        left_at=row.left_at,
        action=row.action,
        officers=list(row.officers),
        due=row.due,
        overdue_at=row.overdue_at,
        provisional=row.provisional,
    )


def _event(row: Any) -> Event:
    return Event(
        seq=row.seq,
        kind=row.kind,
        actor=row.actor,
        payload=dict(row.payload),
        effective_at=row.effective_at,
        recorded_at=row.recorded_at,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _verify_case(case_row: Any, event_rows: Sequence[Any]) -> list[ChainProblem]:
    problems = []
    prev = GENESIS
    for expected_seq, row in enumerate(event_rows, start=1):
        if row.seq != expected_seq:
            problems.append(
                ChainProblem(
                    case_row.id, row.seq, f"event {expected_seq} is missing or out of order"
                )
            )
            break
        if row.prev_hash != prev:
            problems.append(
                ChainProblem(case_row.id, row.seq, "the link to the previous event is broken")
            )
            break
        recomputed = event_hash(
            case_row.id, row.seq, row.kind, row.actor, row.payload, row.effective_at,
            row.recorded_at, row.prev_hash,
        )
        if recomputed != row.hash:
            problems.append(
                ChainProblem(case_row.id, row.seq, "the event was modified after it was written")
            )
            break
        prev = row.hash
    else:
        if case_row.last_seq != len(event_rows) or (event_rows and case_row.last_hash != prev):
            problems.append(
                ChainProblem(
                    case_row.id,
                    None,
                    f"the case records {case_row.last_seq} events but {len(event_rows)} remain: "
                    "events were deleted",
                )
            )
    return problems
