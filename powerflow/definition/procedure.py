"""The runnable procedure (运行程序): steps and the actions that leave them."""

from __future__ import annotations

from pydantic import Field, model_validator

from powerflow.definition.parts import (
    Checkpoint,
    DefinitionPart,
    Duration,
    Identifier,
    Pause,
    Right,
    Text,
    required_here,
)
from powerflow.definition.vocabulary import OutcomeKind, StepKind

_OUTCOME_KINDS = ", ".join(kind.value for kind in OutcomeKind)


class Action(DefinitionPart):
    """A transition: the action an officer performs to move the case to another step."""

    action: Identifier = Field(description="动作 id, e.g. accept")
    name: Text = Field(description="动作名称, e.g. 受理")
    to: Identifier = Field(description="目标环节 (step id)")
    condition: str | None = Field(default=None, description="流程图上的条件说明")
    post: Identifier | None = Field(default=None, description="可执行的岗位; 默认为本环节岗位")
    guard: str | None = Field(default=None, description="条件名 (from the guard registry)")
    outcome: str | None = Field(
        default=None, description="办理结果 as the chart states it, e.g. 准予许可, 给予行政处罚"
    )
    outcome_kind: OutcomeKind | None = Field(
        default=None,
        description="办理结果的类型, required with an outcome and on every exit of a decision "
        "step: penalty 处罚决定, no_penalty 不予处罚, grant 准予/予以, partial 部分准予, "
        "refusal 不予许可/不予受理, transfer 移送, decision 其他处理决定 (征收, 裁决, 没收), "
        "release 解除强制措施, reply 告知, closure 终结 (申请终止, 已履行, 调解结案)",
    )
    deemed: bool = Field(
        default=False,
        description="视为: the engine takes this action by itself, whatever its guard, when the "
        "step's limit runs out, e.g. 逾期不告知补正的自收到材料之日起即为受理 (行政许可法 art. 32)",
    )

    @property
    def imposes_penalty(self) -> bool:
        """The exit decides a 行政处罚 (outcome_kind: penalty)."""
        return self.outcome_kind is not None and self.outcome_kind.imposes_penalty

    @property
    def grants(self) -> bool:
        """The exit grants the application, wholly or in part."""
        return self.outcome_kind is not None and self.outcome_kind.grants

    @property
    def refuses(self) -> bool:
        """The exit refuses the application, wholly or in part (不予 …)."""
        return self.outcome_kind is not None and self.outcome_kind.refuses

    @property
    def transfers(self) -> bool:
        """The exit is a 移送: nothing is decided on the party."""
        return self.outcome_kind is not None and self.outcome_kind.transfers

    @model_validator(mode="after")
    def _outcome_with_kind(self) -> Action:
        if self.outcome is not None and self.outcome_kind is None:
            raise required_here(
                "outcome_kind",
                f"the outcome {self.outcome} needs its outcome_kind, one of: {_OUTCOME_KINDS}",
            )
        if self.outcome_kind is not None and self.outcome is None:
            raise required_here(
                "outcome", f"outcome_kind {self.outcome_kind.value} needs the outcome as the chart "
                "states it (办理结果)"
            )
        return self


class Step(DefinitionPart):
    """一个环节: who handles it, in what time, with which rights and checkpoints."""

    id: Identifier
    name: Text = Field(description="环节名称")
    post: Identifier = Field(description="承办岗位 (post id)")
    kind: StepKind = Field(description="环节类型")
    limit: Duration = Field(description="本环节办理时限")
    start: bool = Field(default=False, description="是否为起始环节")
    final: bool = Field(default=False, description="是否为终结环节 (办结)")
    min_officers: int = Field(default=1, ge=1, description="最少执法人员数, e.g. 2 for 调查取证")
    qualifications: list[str] = Field(
        default_factory=list, description="本环节要求的资格, e.g. 执法证"
    )
    documents: list[str] = Field(default_factory=list, description="形成的文书")
    description: str | None = Field(default=None, description="办理标准与要求")
    pause: Pause | None = Field(default=None, description="特别程序 (clock paused)")
    advance_notice: Duration | None = Field(
        default=None,
        description="提前通知: the party is told this long before the step takes place, "
        "e.g. 举行听证的七日前 (行政许可法 art. 48, 行政处罚法 art. 64)",
    )
    min_wait: Duration | None = Field(
        default=None,
        description="最短等待期: the case may leave the step only after it, "
        "e.g. 催告书送达十日后方可申请人民法院强制执行 (行政强制法 art. 54)",
    )
    no_night_or_holiday: bool = Field(
        default=False,
        description="不得在夜间或者法定节假日实施, 情况紧急的除外 (行政强制法 art. 43)",
    )
    rights: list[Right] = Field(default_factory=list, description="相对人的权利")
    checkpoints: list[Checkpoint] = Field(default_factory=list, description="内部监督制约环节")
    actions: list[Action] = Field(default_factory=list, description="出口 (transitions)")

    @property
    def pauses_clock(self) -> bool:
        return self.pause is not None

    @model_validator(mode="after")
    def _special_steps_pause(self) -> Step:
        if self.kind is StepKind.SPECIAL and self.pause is None:
            raise ValueError("a special procedure (kind: special) must declare its pause")
        return self

    @model_validator(mode="after")
    def _decisions_state_their_outcome(self) -> Step:
        if self.kind is not StepKind.DECISION:
            return self
        for index, action in enumerate(self.actions):
            if action.outcome_kind is None:
                raise required_here(
                    "outcome_kind",
                    f"the action {action.action} leaves a decision step: state its outcome "
                    f"(办理结果) and outcome_kind, one of: {_OUTCOME_KINDS}",
                    at=("actions", index),
                )
        return self
