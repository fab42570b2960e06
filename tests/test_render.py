"""The flowchart renderer: golden DOT, every F-05 element, determinism, overlay, safety, CLI.

Golden files live in tests/golden/<definition file stem>.dot. After an intended change to the
chart, regenerate them and review the diff:

    POWERFLOW_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render.py -k golden
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from powerflow.cli import main
from powerflow.compiler import CompiledPower, compile_definition
from powerflow.definition import load_definition, parse_definition
from powerflow.render import (
    FONT,
    CaseOverlay,
    RenderError,
    build_dot,
    case_overlay,
    channel_text,
    checkpoint_text,
    escape,
    find_definition,
    limits_text,
    render_bytes,
    render_to,
    right_text,
    svg_fragment,
    wrap,
)
from tests.conftest import DATA, DEFINITIONS, ROOT, shipped_definition_files

GOLDEN = Path(__file__).resolve().parent / "golden"
SHIPPED = {path.stem: path for path in shipped_definition_files()}
PENALTY = DEFINITIONS / "food-unlicensed-penalty.yaml"


def compiled(path: Path) -> CompiledPower:
    return compile_definition(load_definition(path))


def squash(text: str) -> str:
    """DOT label text as a reader sees it: tags dropped, entities decoded, whitespace removed."""
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]*>", "", text)))


def statement(dot: str, name: str) -> str:
    """The DOT line that declares the node ``name`` (or the edge ``name``: ``a -> b``)."""
    (line,) = [line for line in dot.splitlines() if line.strip().startswith(f"{name} [")]
    return line


def header(dot: str) -> str:
    (line,) = [line for line in dot.splitlines() if line.strip().startswith("label=<<TABLE")]
    return line


# ---------------------------------------------------------------------------------------------
# Golden DOT


@pytest.mark.parametrize("stem", sorted(SHIPPED))
def test_golden_dot(stem: str) -> None:
    dot = build_dot(compiled(SHIPPED[stem]))
    golden = GOLDEN / f"{stem}.dot"
    if os.environ.get("POWERFLOW_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(dot, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run with POWERFLOW_UPDATE_GOLDEN=1"
    assert dot == golden.read_text(encoding="utf-8"), (
        f"{stem}: the chart changed; if intended, regenerate with POWERFLOW_UPDATE_GOLDEN=1"
    )


def test_every_shipped_definition_has_a_golden_file() -> None:
    assert sorted(path.stem for path in GOLDEN.glob("*.dot")) == sorted(SHIPPED)


# ---------------------------------------------------------------------------------------------
# Every element the flowchart must carry (F-05), for every shipped definition


@pytest.fixture(params=sorted(SHIPPED), ids=sorted(SHIPPED))
def shipped(request: pytest.FixtureRequest) -> tuple[CompiledPower, str]:
    power = compiled(SHIPPED[request.param])
    return power, build_dot(power)


def test_cjk_font_on_graph_nodes_and_edges(shipped: tuple[CompiledPower, str]) -> None:
    _, dot = shipped
    for kind in ("graph", "node", "edge"):
        (line,) = [line for line in dot.splitlines() if line.strip().startswith(f"{kind} [")]
        assert f'fontname="{FONT}"' in line


def test_a_lane_per_post_labelled_with_its_unit(shipped: tuple[CompiledPower, str]) -> None:
    power, dot = shipped
    lines = dot.splitlines()
    for post in power.definition.posts:
        steps = [step for step in power.definition.steps if step.post == post.id]
        if not steps:
            continue
        start = lines.index(f"\tsubgraph cluster_{post.id} {{")
        end = lines.index("\t}", start)
        lane = "\n".join(lines[start:end])
        assert f"<B>{escape(post.name)}</B>（{escape(post.unit)}）" in lane
        for step in steps:
            assert f"\t\t{step.id} [" in lane, f"{step.id} not in the lane of {post.id}"


def test_every_step_with_its_limit(shipped: tuple[CompiledPower, str]) -> None:
    power, dot = shipped
    for step in power.definition.steps:
        label = squash(statement(dot, step.id))
        assert squash(step.name) in label
        assert f"时限：{step.limit.label()}" in label


def test_every_exit_with_action_name_and_condition(shipped: tuple[CompiledPower, str]) -> None:
    power, dot = shipped
    for step in power.definition.steps:
        for action in step.actions:
            (line,) = [
                line
                for line in dot.splitlines()
                if line.strip().startswith(f"{step.id} -> {action.to} [")
            ]
            assert squash(action.name) in squash(line)
            if action.condition:
                assert squash(action.condition) in squash(line)
            if action.outcome:
                assert squash(f"结果：{action.outcome}") in squash(line)


def test_special_procedures_dashed_and_not_counted(shipped: tuple[CompiledPower, str]) -> None:
    power, dot = shipped
    for step in power.definition.steps:
        line = statement(dot, step.id)
        if step.pause is not None:
            assert "不计入办理时限" in line
            assert re.search(r'style="[^"]*dashed', line)
        else:
            assert "不计入办理时限" not in line
            assert not re.search(r'style="[^"]*dashed', line)


def test_rights_beside_their_step_with_windows(shipped: tuple[CompiledPower, str]) -> None:
    power, dot = shipped
    for step in power.definition.steps:
        if not step.rights:
            assert f"_rights_{step.id} [" not in dot
            continue
        note = squash(statement(dot, f"_rights_{step.id}"))
        for right in step.rights:
            assert squash(right_text(right)) in note
            if right.window is not None:
                assert f"{right.window.label()}内" in note
        assert f"{{rank=same {step.id} _rights_{step.id}}}" in dot
        assert any(
            line.strip().startswith(f"{step.id} -> _rights_{step.id} [")
            for line in dot.splitlines()
        )


def test_window_wording() -> None:
    power = compiled(PENALTY)
    notice = power.step("notice")
    assert [right_text(right) for right in notice.rights] == [
        "陈述：5个工作日内提出",
        "申辩：5个工作日内提出",
        "听证：5个工作日内申请",
    ]


def test_every_checkpoint_on_its_step(shipped: tuple[CompiledPower, str]) -> None:
    power, dot = shipped
    for step in power.definition.steps:
        label = squash(statement(dot, step.id))
        for checkpoint in step.checkpoints:
            assert squash(checkpoint_text(power.definition, checkpoint)) in label
            assert f"监督·{checkpoint.kind.value}" in label


def test_header_fields(shipped: tuple[CompiledPower, str]) -> None:
    power, dot = shipped
    definition = power.definition
    text = squash(header(dot))
    for value in (definition.name, definition.code, definition.category, definition.subject):
        assert squash(value) in text
    for citation in definition.basis:
        assert squash(citation.label()) in text
    legal, promised = limits_text(definition)
    assert squash(legal) in text and squash(promised) in text
    assert f"法定时限：{definition.limits.legal.label()}" in text
    assert squash(definition.conditions.description) in text


def test_footer_channels_version_and_effective_date(shipped: tuple[CompiledPower, str]) -> None:
    power, dot = shipped
    definition = power.definition
    footer = squash(statement(dot, "_footer"))
    assert "外部制约监督方式" in footer
    for channel in definition.supervision.external:
        assert squash(channel_text(channel)) in footer
        if channel.period is not None:
            assert f"{channel.period.label()}内" in footer
    for body in definition.supervision.internal:
        assert squash(body.name) in footer and squash(body.contact) in footer
    assert f"版本：{definition.version}" in footer
    assert f"生效日期：{definition.effective.isoformat()}" in footer


def test_legend(shipped: tuple[CompiledPower, str]) -> None:
    _, dot = shipped
    legend = squash(statement(dot, "_legend"))
    for entry in ("图例", "特别程序", "不计入办理时限", "相对人的权利", "内部监督制约环节", "泳道"):
        assert entry in legend
    assert "本案已办路径" not in legend


def test_the_licence_chart_shows_its_hearing_window_and_pauses() -> None:
    dot = build_dot(compiled(DEFINITIONS / "food-business-licence.yaml"))
    text = squash(dot)
    assert "听证：5个工作日内申请" in text
    assert "特别程序（补正）：不计入办理时限" in text
    assert "特别程序（听证）：不计入办理时限" in text


# ---------------------------------------------------------------------------------------------
# Determinism


def test_dot_is_deterministic_in_process() -> None:
    power = compiled(PENALTY)
    assert build_dot(power) == build_dot(power)


def test_dot_is_identical_across_processes_and_hash_seeds() -> None:
    script = (
        "import sys; from powerflow.definition import load_definition; "
        "from powerflow.compiler import compile_definition; "
        "from powerflow.render import CaseOverlay, build_dot; "
        f"p = compile_definition(load_definition({str(PENALTY)!r})); "
        "o = CaseOverlay(path=[('filing','open_case','investigation')], current='investigation', "
        "late_steps={'filing','investigation','notice'}); "
        "sys.stdout.buffer.write((build_dot(p) + build_dot(p, o)).encode())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "1", "2")
    }
    assert len(outputs) == 1


# ---------------------------------------------------------------------------------------------
# Case overlay


def test_overlay_highlights_path_current_and_late_steps() -> None:
    power = compiled(PENALTY)
    overlay = CaseOverlay(
        path=[
            ("filing", "open_case", "investigation"),
            ("investigation", "conclude_investigation", "legal_review"),
            ("legal_review", "return_for_investigation", "investigation"),
            ("investigation", "conclude_investigation", "legal_review"),
        ],
        current="legal_review",
        late_steps=frozenset({"investigation"}),
        label="案件 2025-0042",
    )
    dot = build_dot(power, overlay)
    plain = build_dot(power)
    assert dot != plain
    for source, target in (
        ("filing", "investigation"),
        ("investigation", "legal_review"),
        ("legal_review", "investigation"),
    ):
        line = statement(dot, f"{source} -> {target}")
        assert 'color="#1565c0"' in line and "penwidth=3" in line
    assert "penwidth" not in statement(dot, "legal_review -> notice")
    current = statement(dot, "legal_review")
    assert "当前环节" in current and "penwidth=3" in current
    late = statement(dot, "investigation")
    assert "超时" in late and 'color="#c62828"' in late
    assert "超时" not in statement(dot, "filing")
    assert "当前环节" not in statement(dot, "filing")
    text = squash(header(dot))
    assert "案件2025-0042" in text and "当前环节：法制审核" in text and "超时环节：调查取证" in text
    legend = squash(statement(dot, "_legend"))
    assert "本案已办路径" in legend and "超时环节" in legend
    render_bytes(dot, "svg")  # Graphviz accepts it


def test_overlay_of_a_closed_case() -> None:
    power = compiled(PENALTY)
    overlay = CaseOverlay(path=[("filing", "decline", "archive")], current=None)
    dot = build_dot(power, overlay)
    assert "已办结" in squash(dot)
    assert "当前环节" not in squash(statement(dot, "archive"))


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        (CaseOverlay(current="nowhere"), "has no step nowhere"),
        (CaseOverlay(late_steps=frozenset({"filling"})), "did you mean filing?"),
        (CaseOverlay(path=[("filing", "fly", "archive")]), "no exit fly from filing to archive"),
        (
            CaseOverlay(path=[("filing", "decline", "notice")]),
            "no exit decline from filing to notice",
        ),
    ],
    ids=["unknown-current", "unknown-late", "unknown-action", "wrong-target"],
)
def test_overlay_that_does_not_fit_is_refused(overlay: CaseOverlay, message: str) -> None:
    with pytest.raises(RenderError, match=re.escape(message)):
        build_dot(compiled(PENALTY), overlay)


# ---------------------------------------------------------------------------------------------
# Graphviz output


@pytest.mark.parametrize(
    ("fmt", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF"), ("dot", b"//")]
)
def test_render_formats(tmp_path: Path, fmt: str, magic: bytes) -> None:
    out = render_to(compiled(PENALTY), tmp_path / f"chart.{fmt}")
    assert out.read_bytes().startswith(magic)


def test_svg_carries_the_chinese_text_and_the_font() -> None:
    svg = render_bytes(build_dot(compiled(PENALTY)), "svg").decode("utf-8")
    root = ET.fromstring(svg)
    texts = "".join(root.itertext())
    assert "对未取得食品经营许可从事食品经营活动的行政处罚" in texts
    assert "不计入办理时限" in texts
    assert FONT in svg
    fragment = svg_fragment(svg)
    assert fragment.startswith("<svg") and "<!--" not in fragment and "<?xml" not in fragment


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_chart_files_are_reproducible(fmt: str) -> None:
    power = compiled(PENALTY)
    dot = build_dot(power)
    first = render_bytes(dot, fmt, power.definition.effective)
    assert render_bytes(dot, fmt, power.definition.effective) == first
    if fmt == "pdf":
        assert b"/CreationDate (D:20250101000000Z)" in first


def test_png_is_a_palette_image_of_reasonable_size(tmp_path: Path) -> None:
    data = render_bytes(build_dot(compiled(PENALTY)), "png")
    assert data[25] == 3  # PNG colour type 3: indexed colour
    assert len(data) < 600_000


def test_unknown_format_is_refused() -> None:
    with pytest.raises(RenderError, match="unknown output format gif"):
        render_bytes("digraph {}", "gif")


# ---------------------------------------------------------------------------------------------
# Text helpers


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("甲乙丙丁戊", 4, ["甲乙", "丙丁", "戊"]),
        ("甲乙，丙丁", 4, ["甲乙，", "丙丁"]),  # closing punctuation never starts a line
        ("经营活动， 有证据", 40, ["经营活动，有证据"]),  # YAML folding spaces next to CJK go
        ("call 12315 now", 10, ["call 12315", "now"]),
        ("", 10, []),
    ],
    ids=["cjk", "no-line-start-punctuation", "folded-space", "ascii-words", "empty"],
)
def test_wrap(text: str, width: int, lines: list[str]) -> None:
    assert wrap(text, width) == lines


def test_escape() -> None:
    assert escape('<a href="x">&\'</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
    assert escape("a\x00b\x1bc") == "abc"
    assert escape("{}[]\\") == "{}[]\\"


# ---------------------------------------------------------------------------------------------
# Hostile text: escaped everywhere, breaks nothing


HOSTILE = (
    "<script>alert(1)</script> \"quoted\" 'single' {brace} [bracket] back\\slash & amp; ]] -> --"
)


def hostile_definition(tmp_path: Path) -> Path:
    """The minimal valid definition with hostile text in names, conditions and notes."""
    data = yaml.safe_load((DATA / "valid" / "minimal.yaml").read_text(encoding="utf-8"))
    data["name"] = f"恶意名称 {HOSTILE}"
    data["subject"] = f"主体 {HOSTILE}"
    data["conditions"]["description"] = f"条件 {HOSTILE}"
    data["posts"][0]["name"] = f"岗位 {HOSTILE}"
    data["posts"][0]["unit"] = f"科室 {HOSTILE}"
    data["steps"][0]["name"] = f"受理 {HOSTILE}"
    data["steps"][0]["actions"][0]["condition"] = f"条件 {HOSTILE}"
    data["steps"][0]["actions"][0]["name"] = f"动作 {HOSTILE}"
    data["steps"][0]["rights"][0]["description"] = HOSTILE
    data["steps"][1]["checkpoints"][0]["how"] = f"方式 {HOSTILE}"
    data["supervision"]["external"][0]["name"] = f"渠道 {HOSTILE}"
    data["basis"][0]["law"] = f"条例 {HOSTILE}"
    data["basis"][0]["text"] = HOSTILE
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_hostile_text_gives_valid_dot_and_svg(tmp_path: Path) -> None:
    power = compiled(hostile_definition(tmp_path))
    dot = build_dot(power)
    assert "<script>" not in dot
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dot
    svg = render_bytes(dot, "svg").decode("utf-8")  # dot parses it
    root = ET.fromstring(svg)  # well-formed XML
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "script"]
    texts = "".join(root.itertext())
    assert "<script>alert(1)</script>" in texts  # shown as text, not run
    assert "{brace}" in texts and '"quoted"' in texts and "back\\slash" in texts
    for fmt in ("png", "pdf"):
        assert render_bytes(dot, fmt)


def test_hostile_text_cannot_break_out_of_a_label(tmp_path: Path) -> None:
    power = compiled(hostile_definition(tmp_path))
    plain = subprocess.run(
        ["dot", "-Tplain"], input=build_dot(power).encode(), capture_output=True, check=True
    ).stdout.decode()
    nodes = {line.split(" ", 2)[1] for line in plain.splitlines() if line.startswith("node ")}
    edges = {
        tuple(line.split(" ", 3)[1:3]) for line in plain.splitlines() if line.startswith("edge ")
    }
    assert nodes == {step.id for step in power.definition.steps} | {
        "_footer",
        "_legend",
        "_rights_intake",
    }
    assert edges == {
        ("intake", "_rights_intake"),
        ("intake", "decide"),
        ("decide", "done"),
        ("done", "_footer"),
        ("_footer", "_legend"),
    }


# ---------------------------------------------------------------------------------------------
# Finding definitions and the CLI


def test_find_by_code_and_by_file() -> None:
    by_code = find_definition("33990100SJ-CF-0001", [DEFINITIONS])
    assert by_code.definition.name == "对未取得食品经营许可从事食品经营活动的行政处罚"
    by_file = find_definition(str(PENALTY), [])
    assert by_file.digest == by_code.digest


def test_unknown_code_suggests_the_nearest(tmp_path: Path) -> None:
    from powerflow.errors import UnknownDefinition

    with pytest.raises(
        UnknownDefinition,
        match=r"no definition with code 33990100SJ-CF-0002 in .*did you mean 33990100SJ-CF-0001\?",
    ):
        find_definition("33990100SJ-CF-0002", [DEFINITIONS])


def test_cli_render_by_code(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "chart.svg"
    result = runner.invoke(
        main, ["--definitions", str(DEFINITIONS), "render", "33990100SJ-XK-0001", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "食品经营许可" in out.read_text(encoding="utf-8")


def test_cli_render_by_file_to_dot(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "chart.dot"
    result = runner.invoke(main, ["render", str(PENALTY), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == build_dot(compiled(PENALTY))


def test_cli_render_bad_code_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        main,
        [
            "--definitions",
            str(DEFINITIONS),
            "render",
            "NO-SUCH-CODE",
            "-o",
            str(tmp_path / "x.svg"),
        ],
    )
    assert result.exit_code == 1
    assert "Error: no definition with code NO-SUCH-CODE" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.svg").exists()


def test_cli_render_missing_file_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["render", "nowhere.yaml", "-o", str(tmp_path / "x.svg")])
    assert result.exit_code == 1
    assert "nowhere.yaml: no such definition file" in result.output


def test_cli_render_invalid_definition_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    bad = DATA / "invalid" / "unknown-post.yaml"
    result = runner.invoke(main, ["render", str(bad), "-o", str(tmp_path / "x.svg")])
    assert result.exit_code == 1
    assert "load.unknown-post" in result.output


@pytest.mark.parametrize("name", ["chart.gif", "chart", "chart.svg.txt"])
def test_cli_render_bad_extension_exits_2(runner: CliRunner, tmp_path: Path, name: str) -> None:
    result = runner.invoke(main, ["render", str(PENALTY), "-o", str(tmp_path / name)])
    assert result.exit_code == 2
    assert ".svg, .png, .pdf" in result.output


def test_parse_definition_round_trip_of_hostile_yaml(tmp_path: Path) -> None:
    path = hostile_definition(tmp_path)
    loaded = parse_definition(path.read_text(encoding="utf-8"), str(path))
    assert HOSTILE in loaded.definition.name


# ---------------------------------------------------------------------------------------------
# A case from the engine drawn over its chart


def test_case_overlay_from_a_case_view() -> None:
    from types import SimpleNamespace as Row

    def at(day: int) -> dt.datetime:
        return dt.datetime(2025, 4, day, tzinfo=dt.UTC)

    view = Row(
        case=Row(id=7, party="某食品店", state="legal_review", status="open"),
        entries=[
            Row(step="filing", action="open_case", left_at=at(2), overdue_at=at(20)),
            Row(
                step="investigation",
                action="conclude_investigation",
                left_at=at(25),
                overdue_at=at(24),
            ),
            Row(step="legal_review", action=None, left_at=None, overdue_at=at(28)),
        ],
    )
    overlay = case_overlay(view, at(27))  # type: ignore[arg-type]
    assert overlay.path == (
        ("filing", "open_case", "investigation"),
        ("investigation", "conclude_investigation", "legal_review"),
    )
    assert overlay.current == "legal_review" and overlay.late_steps == {"investigation"}
    assert overlay.label == "案件 7（某食品店）"
    assert case_overlay(view, at(29)).late_steps == {"investigation", "legal_review"}  # type: ignore[arg-type]
    closed = Row(case=Row(id=7, party=None, state="archive", status="closed"), entries=[])
    assert case_overlay(closed, at(29)).current is None  # type: ignore[arg-type]


def test_cli_render_with_a_case(runner: CliRunner, tmp_path: Path) -> None:
    from powerflow import store

    url = f"sqlite:///{tmp_path / 'cases.db'}"
    env = {"POWERFLOW_CALENDAR_DIR": str(tmp_path / "layers")}

    def cli(*args: str) -> Any:
        result = runner.invoke(
            main, ["--db", url, "--definitions", str(DEFINITIONS), *args], env=env
        )
        return result

    try:
        assert cli("db", "upgrade").exit_code == 0
        assert cli("staff", "add", "wang", "--post", "window").exit_code == 0
        opened = cli(
            "case",
            "open",
            "33990100SJ-XK-0001",
            "--as",
            "wang",
            "--at",
            "2025-09-26T09:00",
            "--fact",
            "materials_complete=true",
        )
        assert opened.exit_code == 0, opened.output
        case = opened.stdout.strip()
        acted = cli("case", "act", case, "accept", "--as", "wang", "--at", "2025-09-26T10:00")
        assert acted.exit_code == 0, acted.output
        out = tmp_path / "case.dot"
        result = cli(
            "render",
            "33990100SJ-XK-0001",
            "-o",
            str(out),
            "--case",
            case,
            "--at",
            "2025-10-08T09:00",
        )
        assert result.exit_code == 0, result.output
        dot = out.read_text(encoding="utf-8")
        assert "penwidth=3" in statement(dot, "intake -> review")
        review = statement(dot, "review")
        assert "当前环节" in review and "超时" in review  # 审查 was due 30 Sep
        assert "当前环节：材料审查" in squash(header(dot))
        early = tmp_path / "early.dot"
        result = cli(
            "render",
            "33990100SJ-XK-0001",
            "-o",
            str(early),
            "--case",
            case,
            "--at",
            "2025-09-29T09:00",
        )
        assert "超时" not in statement(early.read_text(encoding="utf-8"), "review")
        wrong = cli("render", "33990100SJ-CF-0001", "-o", str(out), "--case", case)
        assert wrong.exit_code == 1
        assert (
            f"case {case} is a case of 33990100SJ-XK-0001, not of 33990100SJ-CF-0001"
            in wrong.output
        )
        missing = cli("render", "33990100SJ-XK-0001", "-o", str(out), "--case", "99")
        assert missing.exit_code == 1 and "Traceback" not in missing.output
    finally:
        store.dispose(url)


def test_rendering_and_publishing_need_no_database() -> None:
    """render and publish sit above the engine in the module map but never load the store."""
    script = (
        "import sys, powerflow.render, powerflow.publish; "
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'transitions', 'alembic') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True, cwd=ROOT, text=True
    ).stdout.strip()
    assert loaded == "[]"
