"""Alert policies: when a limit draws a 预警, 黄牌 or 红牌, who is told, and how scores count.

A policy is a YAML preset validated like a definition (unknown keys rejected, errors name the
file, line and field). The shipped presets live in ``powerflow/data/alert_policies``:
``default`` (E-07), ``supervise-deadline`` (yellow with a 督办 deadline, then red) and
``near-and-late`` (yellow when near, red when late).
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from powerflow.errors import PolicyError, did_you_mean
from powerflow.yamlsource import YamlProblem, display_path, read_yaml

PRESETS = "alert_policies"


class Level(StrEnum):
    """The e-supervision ladder."""

    WARNING = "warning"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return {"warning": "预警", "yellow": "黄牌", "red": "红牌"}[self.value]

    @property
    def rank(self) -> int:
        return ("warning", "yellow", "red").index(self.value)


class LimitKind(StrEnum):
    """法定时限 (a limit resting on a statute) or 承诺时限 (a promise or an internal rule)."""

    LEGAL = "legal"
    PROMISED = "promised"


class Recipient(StrEnum):
    """Who is told of an alert."""

    POST = "post"  # the officers holding the step's post
    UNIT_HEAD = "unit_head"  # the head post of the power's definition
    SUPERVISION_OFFICE = "supervision_office"  # the e-supervision office named by the policy


class PolicyPart(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NearRule(PolicyPart):
    """Raise ``level`` when at most ``remaining_workdays`` remain or ``used_fraction`` is used."""

    level: Level = Level.WARNING
    remaining_workdays: int = Field(default=1, ge=0)
    used_fraction: float = Field(default=0.8, gt=0, lt=1)
    limits: list[LimitKind] = Field(default_factory=lambda: [LimitKind.LEGAL, LimitKind.PROMISED])


class OverdueRule(PolicyPart):
    """Raise ``level`` once a limit of these kinds is passed by more than ``grace_workdays``."""

    level: Level
    limits: list[LimitKind] = Field(min_length=1)
    grace_workdays: int = Field(default=0, ge=0)
    supervise_within_workdays: int | None = Field(
        default=None, ge=1, description="督办期限 stated in the alert"
    )


class ScoreWeights(PolicyPart):
    """效能积分: points per alert level and the bonus for early completion (E-04)."""

    base: float = 100
    warning: float = 0
    yellow: float = -5
    red: float = -10
    early_bonus: float = 1
    early_share_step: float = Field(default=0.1, gt=0, le=1)


class AlertPolicy(PolicyPart):
    """One alert preset."""

    name: str = Field(min_length=1)
    title: str = Field(min_length=1)
    near: NearRule | None = None
    overdue: list[OverdueRule] = Field(min_length=1)
    recipients: dict[Level, list[Recipient]]
    supervision_office: str = Field(min_length=1)
    supervisors: list[str] = Field(
        default_factory=list, description="posts whose holders may revoke alerts (撤销)"
    )
    scores: ScoreWeights = Field(default_factory=ScoreWeights)

    @model_validator(mode="after")
    def _every_level_has_recipients(self) -> AlertPolicy:
        used = {rule.level for rule in self.overdue} | ({self.near.level} if self.near else set())
        missing = sorted(level.value for level in used if not self.recipients.get(level))
        if missing:
            raise ValueError(f"recipients: no one is told of level {', '.join(missing)}")
        return self

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()


def preset_names() -> list[str]:
    """The names of the shipped presets."""
    folder = resources.files("powerflow").joinpath("data", PRESETS)
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def load_policy(name_or_file: str | Path) -> AlertPolicy:
    """A shipped preset by name, or a policy file by path; PolicyError names file, line, field."""
    path = Path(name_or_file)
    if path.suffix in (".yaml", ".yml") or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError(f"{path}: cannot read the alert policy: {exc}") from exc
        return parse_policy(text, str(path))
    names = preset_names()
    if str(name_or_file) not in names:
        raise PolicyError(
            f"no alert policy preset {name_or_file}{did_you_mean(str(name_or_file), names)}; "
            f"presets: {', '.join(names)} (or give a .yaml file)"
        )
    folder = resources.files("powerflow").joinpath("data", PRESETS)
    text = folder.joinpath(f"{name_or_file}.yaml").read_text(encoding="utf-8")
    return parse_policy(text, f"powerflow/data/{PRESETS}/{name_or_file}.yaml")


def parse_policy(text: str, file: str = "<string>") -> AlertPolicy:
    """Validate policy YAML text."""
    try:
        data, lines = read_yaml(text)
    except YamlProblem as problem:
        raise PolicyError(
            f"{file}:{problem.line}: {problem.field or '(file)'}: {problem.message}"
        ) from problem
    if not isinstance(data, dict):
        raise PolicyError(f"{file}:1: (file): an alert policy is a YAML mapping")
    try:
        return AlertPolicy.model_validate(data)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            field = display_path(tuple(error["loc"]), data)
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = f"unknown key {error['loc'][-1]}"
            messages.append(f"{file}:{lines.line_of(field)}: {field or '(file)'}: {message}")
        raise PolicyError("\n".join(messages)) from exc
