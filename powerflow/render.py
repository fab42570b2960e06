"""Render a compiled power as its published flowchart (权力运行流程图): DOT, SVG, PNG or PDF.

The chart carries every element the flowchart must state (F-05): 行使权力的条件 and the legal
basis in the header; 承办岗位 as swimlanes (one cluster per post, labelled 岗位名称（所在科室）);
运行程序及相关接口 as steps and labelled exits (action name + condition); 办理时限 per step and,
in the header, 法定时限 and 承诺时限; 特别程序 drawn dashed and marked 不计入办理时限;
相对人的权利 as notes beside the step where they arise, with their windows; 内部监督制约环节
as 监督 badges on the step and the internal bodies in the footer; 外部制约监督方式 (投诉, 复议,
诉讼 with their periods), the version and the effective date in the footer; and a legend.

An optional :class:`CaseOverlay` draws one case on top: the path taken, the current step and
the steps that ran late.

``build_dot`` is pure and deterministic (same power and overlay → byte-identical DOT): every
label is an HTML-like label built from escaped text, elements are emitted in definition order
and anything unordered is sorted. ``render_bytes`` and ``render_to`` run Graphviz's ``dot``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import graphviz

from powerflow.compiler import CompiledPower, compile_definition
from powerflow.definition import (
    Action,
    Channel,
    ChannelKind,
    Checkpoint,
    Definition,
    Duration,
    Initiation,
    LoadedDefinition,
    Right,
    RightKind,
    Step,
    load_definition,
    load_definitions,
)
from powerflow.errors import PowerflowError, UnknownDefinition, did_you_mean

if TYPE_CHECKING:  # the renderer needs no database: a case comes in as plain values
    from powerflow.engine import CaseView

__all__ = [
    "FONT",
    "FORMATS",
    "CaseOverlay",
    "RenderError",
    "build_dot",
    "build_graph",
    "case_overlay",
    "channel_text",
    "checkpoint_text",
    "escape",
    "find_definition",
    "limits_text",
    "render_bytes",
    "render_to",
    "right_text",
    "svg_fragment",
    "wrap",
]

FONT = "Noto Sans CJK SC"
"""The CJK font every label is set in (Debian ``fonts-noto-cjk``)."""

FORMATS: tuple[str, ...] = ("dot", "svg", "png", "pdf")
"""Output formats, chosen by the output file's extension."""

# Colours: calm for the chart itself, loud only for a case overlay's late steps.
_STEP_FILL = "#ffffff"
_TERMINAL_FILL = "#eef3fb"
_PAUSE_FILL = "#fff4d6"
_PAUSE_LINE = "#b7791f"
_RIGHT_FILL = "#fffbe6"
_RIGHT_LINE = "#c9a227"
_CHECK_COLOUR = "#1f4e79"
_LANE_FILL = "#f7f7f7"
_PATH_COLOUR = "#1565c0"
_VISITED_FILL = "#e3f0ff"
_CURRENT_COLOUR = "#0d47a1"
_LATE_COLOUR = "#c62828"
_LATE_FILL = "#fde2e2"

_WRAP = 30
"""Label lines wrap at this display width (a CJK character counts two)."""

_RIGHT_VERBS: dict[RightKind, str] = {
    RightKind.HEARING: "申请",
    RightKind.RECONSIDERATION: "申请",
    RightKind.LITIGATION: "提起",
    RightKind.STATEMENT: "提出",
    RightKind.DEFENCE: "提出",
    RightKind.RECUSAL: "申请",
    RightKind.DEFERRAL: "申请",
    RightKind.COMPENSATION: "申请",
}


class RenderError(PowerflowError):
    """The chart cannot be drawn: Graphviz is missing or failed, or an overlay does not fit."""


@dataclass(frozen=True)
class CaseOverlay:
    """One case drawn over its power's chart (a plain value: no store, no engine).

    ``path`` lists the exits taken, in order, as ``(source step, action, target step)``;
    ``current`` is the step the case is in now (None once closed); ``late_steps`` are the
    steps that ran past their limit; ``label`` (e.g. the case id) is shown in the header.
    """

    path: Sequence[tuple[str, str, str]] = ()
    current: str | None = None
    late_steps: frozenset[str] = field(default_factory=frozenset)
    label: str | None = None

    def __post_init__(self) -> None:
        # Accept any iterables but keep the value hashable and ordered.
        object.__setattr__(self, "path", tuple(tuple(hop) for hop in self.path))
        object.__setattr__(self, "late_steps", frozenset(self.late_steps))

    @property
    def visited(self) -> frozenset[str]:
        """Every step the case has been in."""
        steps = {source for source, _, _ in self.path} | {target for _, _, target in self.path}
        if self.current is not None:
            steps.add(self.current)
        return frozenset(steps)

    def validate(self, power: CompiledPower) -> None:
        """Raise RenderError when the overlay names steps or exits the power does not have."""
        known = {step.id for step in power.definition.steps}
        for name in sorted({*self.visited, *self.late_steps}):
            if name not in known:
                raise RenderError(
                    f"case overlay: {power.code} has no step {name}{did_you_mean(name, known)}"
                )
        for source, action, target in self.path:
            exit_ = power.exit(source, action)
            if exit_ is None or exit_.target != target:
                raise RenderError(
                    f"case overlay: {power.code} has no exit {action} from {source} to {target}"
                )


def case_overlay(view: CaseView, now: dt.datetime) -> CaseOverlay:
    """The overlay of a case as the engine shows it (``CaseEngine.show``), judged at ``now``.

    The path is the exits taken between consecutive step entries; a step is late when it was
    left (or, still open, is at ``now``) after its stored ``overdue_at``.
    """
    entries = list(view.entries)
    path = [
        (entry.step, entry.action, following.step)
        for entry, following in pairwise(entries)
        if entry.action is not None
    ]
    late = {
        entry.step
        for entry in entries
        if entry.overdue_at is not None and (entry.left_at or now) >= entry.overdue_at
    }
    open_ = view.case.status != "closed"
    return CaseOverlay(
        path=path,
        current=view.case.state if open_ else None,
        late_steps=frozenset(late),
        label=f"案件 {view.case.id}" + (f"（{view.case.party}）" if view.case.party else ""),
    )


# ---------------------------------------------------------------------------------------------
# Text helpers


def escape(text: str) -> str:
    """Escape text for a Graphviz HTML-like label (&, <, >, quotes; control characters dropped)."""
    cleaned = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return (
        cleaned.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


_NO_LINE_START = set("，。、；：？！）》」』”’】〕…—,.;:?!)]}%")
"""Punctuation that never begins a line (避头): it stays on the line before, past the width."""


def wrap(text: str, width: int = _WRAP) -> list[str]:
    """Split text into lines of at most ``width`` display columns (CJK characters count two).

    Whitespace runs collapse to one space and vanish next to CJK text (YAML folding leaves
    them there); ASCII words stay whole where they fit; closing punctuation never starts a line.
    """
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", text)
    lines: list[str] = []
    line, used = "", 0
    for token in re.findall(r"[A-Za-z0-9_./:@%+\-]+| |.", text):
        size = sum(_width(ch) for ch in token)
        if used + size > width and line and token[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = "", 0
            if token == " ":
                continue
        while size > width:  # a single overlong ASCII token: cut it
            cut = max(width - used, 1)
            lines.append(line + token[:cut])
            token, size, line, used = token[cut:], size - cut, "", 0
        line += token
        used += size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _lines(text: str, width: int = _WRAP) -> str:
    """Escaped, wrapped text joined with HTML line breaks."""
    return '<BR ALIGN="LEFT"/>'.join(escape(line) for line in wrap(text, width))


def _small(text: str, colour: str = "#555555") -> str:
    return f'<FONT POINT-SIZE="9" COLOR="{colour}">{text}</FONT>'


def _duration(duration: Duration) -> str:
    return duration.label()


def _post_label(definition: Definition, post_id: str) -> str:
    post = definition.post(post_id)
    return f"{post.name}（{post.unit}）"


def right_text(right: Right) -> str:
    """A right as the chart states it, e.g. ``听证：5个工作日内申请``."""
    name = right.right.value
    if right.window is None:
        return name
    verb = _RIGHT_VERBS.get(right.right, "行使")
    return f"{name}：{right.window.label()}内{verb}"


def checkpoint_text(definition: Definition, checkpoint: Checkpoint) -> str:
    """A checkpoint as the chart states it: ``监督·kind：who — how (电话 …)``."""
    who = (
        _post_label(definition, checkpoint.post)
        if checkpoint.post is not None
        else str(checkpoint.supervisor)
    )
    text = f"监督·{checkpoint.kind.value}：{who}——{checkpoint.how}"
    if checkpoint.contact:
        text += f"（电话 {checkpoint.contact}）"
    return text


def limits_text(definition: Definition) -> tuple[str, str]:
    """The case's 法定时限 and 承诺时限 as shown in the header."""
    limits = definition.limits
    starts = f"（{limits.starts_at}）" if limits.starts_at else ""
    legal = f"法定时限：{_duration(limits.legal)}{starts}"
    if limits.extension is not None:
        extension = limits.extension
        legal += (
            f"，经{_post_label(definition, extension.approver)}批准可延长{_duration(extension.max)}"
        )
    promised = (
        f"承诺时限：{_duration(limits.promised)}"
        if limits.promised is not None
        else "承诺时限：同法定时限"
    )
    return legal, promised


def channel_text(channel: Channel) -> str:
    """One external supervision channel, e.g. ``复议：云溪县人民政府，60日内申请``."""
    text = f"{channel.kind.value}：{channel.name}"
    phone = f"电话 {channel.phone}" if channel.phone else None
    details = [part for part in (phone, channel.address, channel.website) if part]
    if details:
        text += "（" + "，".join(details) + "）"
    if channel.period is not None:
        verb = "提起" if channel.kind is ChannelKind.LITIGATION else "申请"
        text += f"，{channel.period.label()}内{verb}"
    return text


# ---------------------------------------------------------------------------------------------
# DOT building


def _header_label(power: CompiledPower, overlay: CaseOverlay | None) -> str:
    definition = power.definition
    rows: list[str] = []

    def row(content: str, **cell: str) -> None:
        extra = "".join(f' {key.upper()}="{value}"' for key, value in cell.items())
        rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"{extra}>{content}</TD></TR>')

    row(f'<FONT POINT-SIZE="18"><B>{escape(definition.name)}</B></FONT>')
    kind = definition.category + (f"（{definition.procedure}）" if definition.procedure else "")
    row(
        f"事项编码：{escape(definition.code)}　权力类别：{escape(kind)}"
        + (f"　行使层级：{escape(definition.level)}" if definition.level else "")
    )
    row(f"实施主体：{escape(definition.subject)}　承办机构：{escape(definition.handling_unit)}")
    basis = "；".join(citation.label() for citation in definition.basis)
    row(_lines("依据：" + basis, 96))
    conditions = definition.conditions
    initiation = "依申请" if conditions.initiation is Initiation.ON_APPLICATION else "依职权"
    row(_lines(f"行使权力的条件（{initiation}）：{conditions.description}", 96))
    legal, promised = limits_text(definition)
    row(f"<B>{escape(legal)}</B>　<B>{escape(promised)}</B>")
    if overlay is not None:
        case = overlay.label or "案件"
        where = (
            f"当前环节：{definition.step(overlay.current).name}"
            if overlay.current is not None
            else "已办结"
        )
        late = "、".join(step.name for step in definition.steps if step.id in overlay.late_steps)
        text = f"{case}　{where}" + (f"　超时环节：{late}" if late else "")
        row(f'<FONT COLOR="{_CURRENT_COLOUR}"><B>{escape(text)}</B></FONT>')
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
        + "".join(rows)
        + "</TABLE>>"
    )


def _step_label(power: CompiledPower, step: Step, overlay: CaseOverlay | None) -> str:
    definition = power.definition
    parts = [f"<B>{escape(step.name)}</B>"]
    markers = []
    if step.start:
        markers.append("起始")
    if step.final:
        markers.append("办结")
    if markers:
        parts[0] += _small(f"（{'，'.join(markers)}）")
    parts.append(f"时限：{escape(_duration(step.limit))}")
    if step.min_officers > 1:
        parts.append(_small(escape(f"执法人员不少于{step.min_officers}人")))
    if step.pause is not None:
        parts.append(
            f'<FONT COLOR="{_PAUSE_LINE}"><B>'
            + escape(f"特别程序（{step.pause.reason}）：不计入办理时限")
            + "</B></FONT>"
        )
    for checkpoint in step.checkpoints:
        parts.append(
            f'<FONT POINT-SIZE="9" COLOR="{_CHECK_COLOUR}">'
            + _lines(checkpoint_text(definition, checkpoint), 36)
            + "</FONT>"
        )
    if overlay is not None:
        if step.id == overlay.current:
            parts.append(f'<FONT COLOR="{_CURRENT_COLOUR}"><B>▶ 当前环节</B></FONT>')
        if step.id in overlay.late_steps:
            parts.append(f'<FONT COLOR="{_LATE_COLOUR}"><B>超时</B></FONT>')
    return _rows(parts)


def _rows(parts: Sequence[str], align: str = "LEFT") -> str:
    """An HTML-like label with one table row per part (rows keep CJK lines apart)."""
    rows = "".join(f'<TR><TD ALIGN="{align}" BALIGN="{align}">{part}</TD></TR>' for part in parts)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{rows}</TABLE>>'


def _step_style(step: Step, overlay: CaseOverlay | None) -> dict[str, str | None]:
    style = ["rounded", "filled"]
    fill = _TERMINAL_FILL if (step.start or step.final) else _STEP_FILL
    colour = "#333333"
    penwidth = "1.2"
    peripheries = "2" if step.final else None
    if step.pause is not None:
        style.append("dashed")
        fill, colour = _PAUSE_FILL, _PAUSE_LINE
    if overlay is not None:
        if step.id in overlay.visited:
            fill = _VISITED_FILL
        if step.id == overlay.current:
            colour, penwidth = _CURRENT_COLOUR, "3"
            style.append("bold")
        if step.id in overlay.late_steps:
            colour, fill, penwidth = _LATE_COLOUR, _LATE_FILL, "3"
    return {
        "style": ",".join(style),
        "fillcolor": fill,
        "color": colour,
        "penwidth": penwidth,
        "peripheries": peripheries,
        "fontcolor": _LATE_COLOUR if overlay and step.id in overlay.late_steps else None,
    }


def _rights_label(step: Step) -> str:
    parts = ["<B>相对人的权利</B>"]
    for right in step.rights:
        line = f"<B>{escape(right_text(right))}</B>"
        basis = right.basis or (right.window.basis if right.window else None)
        if basis is not None:
            line += _small(escape(f"（{basis.label()}）"))
        parts.append(line)
    return _rows(parts)


def _action_parts(power: CompiledPower, step: Step, action: Action, taken: bool) -> list[str]:
    """One exit as the chart states it: action name, condition, acting post, outcome."""
    name = escape(action.name)
    parts = [f'<FONT COLOR="{_PATH_COLOUR}"><B>{name}</B></FONT>' if taken else f"<B>{name}</B>"]
    if action.condition:
        parts.append("<BR/>".join(escape(line) for line in wrap(action.condition, 24)))
    if action.post is not None and action.post != step.post:
        parts.append(_small(escape(f"由{_post_label(power.definition, action.post)}办理")))
    if action.outcome:
        parts.append(_small(escape(f"结果：{action.outcome}")))
    return parts


def _exit_groups(step: Step) -> list[tuple[str, list[Action]]]:
    """The step's exits grouped by target, in definition order.

    Parallel exits to one step share one edge: dot places the labels of parallel edges
    between clusters on top of each other, and one edge listing both reads better anyway.
    """
    groups: dict[str, list[Action]] = {}
    for action in step.actions:
        groups.setdefault(action.to, []).append(action)
    return list(groups.items())


def _flow_order(definition: Definition) -> dict[str, int]:
    """Steps numbered breadth-first from the start steps along exits in definition order."""
    order: dict[str, int] = {}
    queue = [step.id for step in definition.steps if step.start]
    while queue:
        current = queue.pop(0)
        if current in order:
            continue
        order[current] = len(order)
        queue.extend(action.to for action in definition.step(current).actions)
    for step in definition.steps:
        order.setdefault(step.id, len(order))
    return order


def _footer_label(power: CompiledPower) -> str:
    definition = power.definition
    rows = ['<TR><TD ALIGN="LEFT"><B>外部制约监督方式</B></TD></TR>']
    for channel in definition.supervision.external:
        text = channel_text(channel)
        rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{_lines(text, 90)}</TD></TR>')
    if definition.supervision.internal:
        rows.append('<TR><TD ALIGN="LEFT"><B>内部监督机构</B></TD></TR>')
        for body in definition.supervision.internal:
            text = f"{body.name}（电话 {body.contact}）" + (
                f"：{body.duties}" if body.duties else ""
            )
            rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{_lines(text, 90)}</TD></TR>')
    contact = definition.contact
    consult = f"咨询电话：{contact.phone}" + (
        f"　办理地点：{contact.address}" if contact.address else ""
    )
    rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{_lines(consult, 90)}</TD></TR>')
    rows.append(
        '<TR><TD ALIGN="LEFT">'
        + escape(f"版本：{definition.version}　生效日期：{definition.effective.isoformat()}")
        + "</TD></TR>"
    )
    return (
        '<<TABLE BORDER="1" COLOR="#999999" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">'
        + "".join(rows)
        + "</TABLE>>"
    )


def _legend_label(overlay: CaseOverlay | None) -> str:
    def swatch(fill: str, colour: str, text: str, style: str = "rounded") -> str:
        return (
            f'<TR><TD BGCOLOR="{fill}" COLOR="{colour}" BORDER="1" STYLE="{style}" WIDTH="28">'
            f'</TD><TD ALIGN="LEFT">{escape(text)}</TD></TR>'
        )

    rows = [
        '<TR><TD COLSPAN="2"><B>图例</B></TD></TR>',
        swatch(_STEP_FILL, "#333333", "办理环节（环节名称、本环节时限）"),
        swatch(_TERMINAL_FILL, "#333333", "起始环节 / 办结环节"),
        swatch(_PAUSE_FILL, _PAUSE_LINE, "特别程序（虚线框）：不计入办理时限", "dashed"),
        swatch(_RIGHT_FILL, _RIGHT_LINE, "相对人的权利及行使期限（便签）", "solid"),
        f'<TR><TD><FONT COLOR="{_CHECK_COLOUR}">监督·</FONT></TD>'
        f'<TD ALIGN="LEFT">{escape("内部监督制约环节：类型、监督者、监督方式")}</TD></TR>',
        '<TR><TD>→</TD><TD ALIGN="LEFT">' + escape("流转：动作名称及条件") + "</TD></TR>",
        '<TR><TD>▭</TD><TD ALIGN="LEFT">' + escape("泳道：承办岗位（所在科室）") + "</TD></TR>",
    ]
    if overlay is not None:
        rows += [
            f'<TR><TD><FONT COLOR="{_PATH_COLOUR}"><B>━</B></FONT></TD>'
            f'<TD ALIGN="LEFT">{escape("本案已办路径")}</TD></TR>',
            swatch(_VISITED_FILL, _CURRENT_COLOUR, "当前环节（粗框）", "solid"),
            swatch(_LATE_FILL, _LATE_COLOUR, "超时环节", "solid"),
        ]
    return (
        '<<TABLE BORDER="1" COLOR="#999999" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
        + "".join(rows)
        + "</TABLE>>"
    )


def _attrs(**attributes: str | None) -> dict[str, str]:
    """Drop unset attributes; graphviz keeps the keyword order, so the DOT stays stable."""
    return {key: value for key, value in attributes.items() if value is not None}


def build_graph(power: CompiledPower, overlay: CaseOverlay | None = None) -> graphviz.Digraph:
    """The flowchart of a power (optionally with a case drawn over it) as a graphviz Digraph.

    Every piece of definition text sits in an HTML-like label built by :func:`escape`; node
    names are step ids (``[a-z][a-z0-9_]*``) or start with ``_``, so they never clash.
    """
    if overlay is not None:
        overlay.validate(power)
    definition = power.definition
    taken = {(source, action) for source, action, _ in overlay.path} if overlay else set()
    chart = graphviz.Digraph(
        "power",
        comment=f"{definition.code}: generated by powerflow.render from the definition",
        graph_attr={
            "charset": "UTF-8",
            "fontname": FONT,
            "rankdir": "TB",
            "newrank": "true",
            "nodesep": "0.35",
            "ranksep": "0.45",
            "labelloc": "t",
            "labeljust": "l",
            "pad": "0.3",
        },
        node_attr={"fontname": FONT, "fontsize": "11", "shape": "box", "margin": "0.12,0.06"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": "#555555", "arrowsize": "0.7"},
    )
    chart.attr(label=_header_label(power, overlay))

    for post in definition.posts:
        steps = [step for step in definition.steps if step.post == post.id]
        if not steps:
            continue
        with chart.subgraph(name=f"cluster_{post.id}") as lane:
            lane.attr(
                label=f"<<B>{escape(post.name)}</B>（{escape(post.unit)}）>",
                style="rounded,filled",
                fillcolor=_LANE_FILL,
                color="#bbbbbb",
                labeljust="l",
                fontsize="12",
            )
            for step in steps:
                lane.node(
                    step.id,
                    label=_step_label(power, step, overlay),
                    **_attrs(**_step_style(step, overlay)),
                )
                if step.rights:
                    note = f"_rights_{step.id}"
                    lane.node(
                        note,
                        label=_rights_label(step),
                        shape="note",
                        style="filled",
                        fillcolor=_RIGHT_FILL,
                        color=_RIGHT_LINE,
                        fontsize="9",
                    )
                    lane.body.append(f"\t\t{{rank=same {step.id} {note}}}\n")

    order = _flow_order(definition)
    pairs = {(step.id, action.to) for step in definition.steps for action in step.actions}
    for step in definition.steps:
        if step.rights:
            chart.edge(
                step.id, f"_rights_{step.id}", style="dotted", arrowhead="none", color=_RIGHT_LINE
            )
        for target, actions in _exit_groups(step):
            on_path = any((step.id, action.action) in taken for action in actions)
            parts: list[str] = []
            for action in actions:
                if parts:
                    parts.append('<FONT POINT-SIZE="3"> </FONT>')
                parts += _action_parts(power, step, action, (step.id, action.action) in taken)
            # A return to an earlier step that is also reached from here forward (e.g. 退回补充
            # 调查) must not pull the layout: its label would land on the forward edge's.
            back = (target, step.id) in pairs and order[target] < order[step.id]
            chart.edge(
                step.id,
                target,
                **_attrs(
                    label=_rows(parts, "CENTER"),
                    id="{}:{}".format(step.id, "+".join(action.action for action in actions)),
                    constraint="false" if back else None,
                    color=_PATH_COLOUR if on_path else None,
                    penwidth="3" if on_path else None,
                ),
            )

    chart.node("_footer", label=_footer_label(power), shape="plaintext")
    chart.node("_legend", label=_legend_label(overlay), shape="plaintext")
    chart.body.append("\t{rank=max _footer _legend}\n")
    # Invisible edges keep footer and legend below the final steps without bending the flow.
    for step in definition.steps:
        if step.final:
            chart.edge(step.id, "_footer", style="invis")
    chart.edge("_footer", "_legend", style="invis")
    return chart


def build_dot(power: CompiledPower, overlay: CaseOverlay | None = None) -> str:
    """The flowchart as DOT text: deterministic, byte-identical for the same input."""
    return str(build_graph(power, overlay).source)


# ---------------------------------------------------------------------------------------------
# Running Graphviz


def render_bytes(dot_source: str, fmt: str, created: dt.date | None = None) -> bytes:
    """Run Graphviz ``dot`` over DOT text; return the SVG, PNG or PDF bytes (DOT as UTF-8).

    ``created`` stamps a PDF's CreationDate instead of the clock, so the same chart gives the
    same bytes (the publisher passes the definition's effective date).
    """
    if fmt not in FORMATS:
        raise RenderError(f"unknown output format {fmt}; expected one of: {', '.join(FORMATS)}")
    if fmt == "dot":
        return dot_source.encode("utf-8")
    try:
        # PNG: cairo draws, gd writes an 8-bit palette file (a third the size, same look).
        renderer, formatter = ("cairo", "gd") if fmt == "png" else (None, None)
        data: bytes = graphviz.pipe(
            "dot",
            fmt,
            dot_source.encode("utf-8"),
            renderer=renderer,
            formatter=formatter,
            quiet=True,
        )
    except graphviz.ExecutableNotFound as exc:
        raise RenderError(
            "Graphviz dot is not installed (Debian: apt-get install graphviz; scripts/setup)"
        ) from exc
    except graphviz.CalledProcessError as exc:
        message = (exc.stderr or b"").decode("utf-8", "replace").strip()
        raise RenderError(f"Graphviz dot failed (exit {exc.returncode}): {message}") from exc
    if fmt == "svg":
        # The DOCTYPE only names a DTD on the web; no viewer needs it and the site fetches nothing.
        data = re.sub(rb"<!DOCTYPE[^>]*>\s*", b"", data, count=1)
    if fmt == "pdf" and created is not None:
        # Same length as cairo's D:YYYYMMDDHHMMSSZ, so the cross-reference offsets stay valid.
        stamp = b"/CreationDate (D:" + created.strftime("%Y%m%d").encode() + b"000000Z)"
        data = re.sub(rb"/CreationDate \(D:\d{14}Z\)", stamp, data, count=1)
    return data


def render_to(
    power: CompiledPower, output: Path, overlay: CaseOverlay | None = None, fmt: str | None = None
) -> Path:
    """Draw a power's chart into ``output``; the format is ``fmt`` or the file's extension."""
    chosen = fmt or output.suffix.lower().lstrip(".")
    data = render_bytes(build_dot(power, overlay), chosen, power.definition.effective)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    return output


def svg_fragment(svg: bytes | str) -> str:
    """SVG text fit for inlining in HTML: the XML declaration, DOCTYPE and comments removed."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    text = re.sub(r"<\?xml[^>]*\?>", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return text.strip()


# ---------------------------------------------------------------------------------------------
# Finding a definition by code or file


def find_definition(target: str, definitions: Iterable[Path]) -> CompiledPower:
    """The compiled power named by ``target``: a definition file, or a code in the folders."""
    path = Path(target)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise UnknownDefinition(f"{target}: no such definition file")
        loaded: LoadedDefinition = load_definition(path)
        return compile_definition(loaded)
    folders = list(definitions)
    items, findings = load_definitions(folders)
    for item in items:
        if item.definition.code == target:
            return compile_definition(item)
    where = ", ".join(str(folder) for folder in folders)
    message = f"no definition with code {target} in {where}"
    message += did_you_mean(target, [item.definition.code for item in items])
    broken = sorted({finding.file for finding in findings if finding.is_error})
    if broken:
        message += f"; {len(broken)} file(s) there could not be loaded: {', '.join(broken)}"
    raise UnknownDefinition(message)
