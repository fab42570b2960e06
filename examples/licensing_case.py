"""A 食品经营许可 case from application to licence, through the public API.

The applicant's materials are incomplete (一次告知补正, a pause), the licence office verifies the
premises on site with two officers, a neighbour asks for a hearing (听证, not counted in the 20
working days of 行政许可法 art. 42: art. 45), and the director grants the licence. Each line shows
the step the case entered and its stored deadlines; the 2025 National Day break and its two
make-up working days (Sun 28 Sep, Sat 11 Oct) are in the count.

    .venv/bin/python examples/licensing_case.py [DATABASE_URL_OR_SQLITE_FILE]
"""

from __future__ import annotations

from yunxi import act, at, county_engine, database_url, show_record, show_step

LICENCE = "33990100SJ-XK-0001"


def main() -> None:
    engine = county_engine(database_url(__doc__.splitlines()[0]))
    power = engine.newest(LICENCE)
    print(f"{power.code} {power.definition.name} (v{power.definition.version})")

    when = at("2025-09-24 09:00")
    case = engine.open_case(
        LICENCE,
        officer="王窗口",
        at=when,
        party="云溪县某餐饮店",
        facts={"materials_complete": False},
    )
    show_step(engine, case, when, "申请")

    case = act(engine, case, "request_supplement", ["王窗口"], "2025-09-24 14:00")
    case = act(engine, case, "resubmit", ["王窗口"], "2025-09-30 09:30", materials_complete=True)
    case = act(engine, case, "accept", ["王窗口"], "2025-09-30 10:00")
    case = act(engine, case, "order_inspection", ["李审查"], "2025-10-09 09:00")
    # Saturday 11 Oct 2025 is a working day (调休).
    case = act(engine, case, "report", ["赵执法", "钱执法"], "2025-10-11 16:00")
    case = act(engine, case, "hold_hearing", ["李审查"], "2025-10-13 10:00", hearing_requested=True)
    case = act(engine, case, "conclude", ["周主持"], "2025-10-27 11:00")
    case = act(engine, case, "grant", ["孙局长"], "2025-10-28 15:00", requirements_met=True)
    case = act(engine, case, "issue", ["王窗口"], "2025-10-29 10:00")
    case = engine.close(case.id, officer="王窗口", at=at("2025-10-30 09:00"))
    print()
    show_record(engine, case.id)


if __name__ == "__main__":
    main()
