"""A month of e-supervision (电子监察): 45 cases across five powers, some late, swept every evening.

From Mon 15 Sep to Fri 31 Oct 2025 the county's offices open cases on working days and act on
them on working days only, usually within each step's limit and sometimes after it. Every
evening at 18:00 the monitor sweeps the database with the default alert policy (预警 near a
limit, 黄牌 past a 承诺时限 or an internal step limit, 红牌 past a 法定时限), raising each alert
once. At the end the script lists the cards and October's 效能积分 per agency, unit and post. The
run is deterministic (a fixed seed), so its figures repeat on a fresh database.

    .venv/bin/python examples/supervision_drill.py [DATABASE_URL_OR_SQLITE_FILE]
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from yunxi import at, county_engine, database_url

from powerflow.engine import SHANGHAI, Case, CaseEngine
from powerflow.monitor import Alert, Level, efficiency, load_policy, sweep

FIRST, LAST, MONTH = dt.date(2025, 9, 15), dt.date(2025, 10, 31), "2025-10"
CASES, LATE_SHARE, SEED = 45, 0.3, 20251031

COMPLETE: dict[str, object] = {"materials_complete": True}
# Each power's main path: (action, officers, facts), and who closes the case at its final step.
PATHS: dict[str, tuple[dict[str, object], list[tuple[str, list[str], dict[str, object]]], str]] = {
    "33990100SJ-XK-0001": (
        COMPLETE,
        [
            ("accept", ["王窗口"], {}),
            ("order_inspection", ["李审查"], {}),
            ("report", ["赵执法", "钱执法"], {}),
            ("proceed", ["李审查"], {}),
            ("grant", ["孙局长"], {"requirements_met": True}),
            ("issue", ["王窗口"], {}),
        ],
        "王窗口",
    ),
    "33990100JS-XK-0001": (
        COMPLETE,
        [
            ("accept", ["王窗口"], {}),
            ("schedule", ["李审查"], {}),
            ("report", ["赵执法", "钱执法"], {}),
            ("give_opinion", ["李审查"], {}),
            ("propose", ["李审查"], {}),
            ("grant", ["孙局长"], {"requirements_met": True}),
            ("issue", ["王窗口"], {}),
        ],
        "王窗口",
    ),
    "33990100ZB-QT-0001": (
        {},
        [
            ("register", ["王窗口"], {}),
            ("answer", ["李审查"], {}),
            ("disclose", ["孙局长"], {}),
            ("delivered", ["王窗口"], {}),
        ],
        "王窗口",
    ),
    "33990100RS-QR-0001": (
        COMPLETE,
        [
            ("accept", ["王窗口"], {}),
            ("investigate", ["李审查"], {}),
            ("propose", ["赵执法", "钱执法"], {}),
            ("recognise", ["孙局长"], {}),
            ("delivered", ["王窗口"], {}),
        ],
        "王窗口",
    ),
    "33990100MZ-JF-0001": (
        COMPLETE,
        [
            ("accept", ["王窗口"], {}),
            ("propose", ["赵执法", "钱执法"], {}),
            ("no_objection", ["李审查"], {}),
            ("submit", ["李审查"], {}),
            ("grant", ["孙局长"], {"requirements_met": True}),
            ("start_payment", ["王窗口"], {}),
            ("first_payment", ["陈出纳"], {}),
        ],
        "李审查",
    ),
}


class Drill:
    """The cases of the drill and when each will next be acted on."""

    def __init__(self, engine: CaseEngine) -> None:
        self.engine, self.calendar = engine, engine.calendar
        self.rng = random.Random(SEED)
        self.next_on: dict[int, dt.date] = {}
        self.done: dict[int, int] = {}  # case id → actions taken
        self.late_step: dict[int, int] = {}  # case id → the action index it will take late
        self.codes: dict[int, str] = {}
        self.closed = 0

    def plan(self, case: Case, today: dt.date, index: int) -> None:
        """Pick the day of the next action: within the step's limit, or after it if late."""
        due = case.step_due or today
        if self.late_step.get(case.id) == index:
            self.next_on[case.id] = self.calendar.add(due, self.rng.randint(1, 4), "workday").due
            return
        room = max(0, self.calendar.between(today, due))
        step = self.rng.randint(1, room) if room else 0
        self.next_on[case.id] = self.calendar.add(today, step, "workday").due if step else today

    def open(self, day: dt.date, number: int) -> None:
        code = list(PATHS)[number % len(PATHS)]
        facts, path, _ = PATHS[code]
        case = self.engine.open_case(
            code,
            officer="王窗口",
            at=at(f"{day} 09:{number % 60:02d}"),
            party=f"申请人{number:02d}",
            facts=facts,
        )
        self.codes[case.id], self.done[case.id] = code, 0
        if self.rng.random() < LATE_SHARE:
            self.late_step[case.id] = self.rng.randrange(len(path))
        self.plan(case, day, 0)

    def work(self, day: dt.date) -> None:
        for minute, case_id in enumerate(sorted(c for c, on in self.next_on.items() if on == day)):
            when = at(f"{day} {10 + minute // 60:02d}:{minute % 60:02d}")
            _, path, closer = PATHS[self.codes[case_id]]
            index = self.done[case_id]
            if index == len(path):
                self.engine.close(case_id, officer=closer, at=when)
                del self.next_on[case_id]
                self.closed += 1
                continue
            action, officers, facts = path[index]
            case = self.engine.act(case_id, action, officers=officers, at=when, facts=facts or None)
            self.done[case_id] = index + 1
            self.plan(case, day, index + 1)


def card_line(engine: CaseEngine, alert: Alert) -> str:
    power = engine.newest(alert.power).definition
    where = power.step(alert.step).name if alert.step else "全案"
    late = f"{alert.overdue_days} 日逾期" if alert.overdue_days else "临近期限"
    return (
        f"  {alert.raised_at.astimezone(SHANGHAI):%m-%d} {alert.level.label} "
        f"案件{alert.case} {power.name}｜{where}｜{alert.unit or ''} {alert.limit}，"
        f"期限 {alert.due}，{late}"
    )


def main() -> None:
    engine = county_engine(database_url(__doc__.splitlines()[0]))
    policy = load_policy("default")
    drill = Drill(engine)
    opening_days = [
        FIRST + dt.timedelta(days=n)
        for n in range((dt.date(2025, 10, 24) - FIRST).days + 1)
        if engine.calendar.is_workday(FIRST + dt.timedelta(days=n))
    ]
    alerts: list[Alert] = []
    sweeps, day = 0, FIRST
    while day <= LAST:
        if engine.calendar.is_workday(day):
            for number in range(CASES):
                if opening_days[number % len(opening_days)] == day:
                    drill.open(day, number)
            drill.work(day)
        alerts.extend(sweep(engine, policy, at(f"{day} 18:00")).alerts)
        sweeps += 1
        day += dt.timedelta(days=1)

    opened = len(drill.codes)
    print(f"云溪县电子监察演练 {FIRST} – {LAST}: {len(PATHS)} powers")
    print(
        f"cases opened: {opened}, closed: {drill.closed}, open at the end: {opened - drill.closed}"
    )
    print(f"cases planned late at one step: {len(drill.late_step)}")
    levels = Counter(alert.level for alert in alerts)
    print(
        f"sweeps: {sweeps} (daily at 18:00); alerts raised: "
        + ", ".join(f"{level.label} {levels[level]}" for level in Level)
    )
    cards = [alert for alert in alerts if alert.level is not Level.WARNING]
    print(f"黄牌 and 红牌 ({len(cards)}):")
    for alert in cards:
        print(card_line(engine, alert))
    print(f"效能积分 {MONTH} (policy {policy.name}):")
    print("  实施主体｜单位｜岗位  办结环节 按时 提前 预警 黄牌 红牌  得分")
    for score in efficiency(engine, MONTH, policy):
        counts = score.alerts
        print(
            f"  {score.subject}｜{score.unit}｜{score.post_name}  "
            f"{score.handled} {score.on_time} {score.early} "
            f"{counts['warning']} {counts['yellow']} {counts['red']}  {score.score:g}"
        )


if __name__ == "__main__":
    main()
