"""The definition language of an administrative power (行政权力) and its YAML loader.

A definition carries everything the published flowchart (权力运行流程图) and the catalog entry
(权力目录) must state: 行使权力的条件, 承办岗位, 运行程序及相关接口, 办理时限, 内部监督制约环节,
相对人的权利 and 外部制约监督方式. It is frozen and rejects unknown keys.

``load_definition(path)`` returns a :class:`LoadedDefinition` (the definition plus a map from
field paths to YAML lines) or raises :class:`DefinitionError` whose findings name the file, the
line and the field path, e.g. ``definitions/x.yaml:14: steps.review.limit.unit: …``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from powerflow.errors import DefinitionError, did_you_mean
from powerflow.findings import Finding, Severity
from powerflow.guards import GUARDS
from powerflow.yamlsource import Lines, YamlProblem, display_path, read_yaml

# ---------------------------------------------------------------------------------------------
# Vocabulary


class TimeUnit(StrEnum):
    """Unit of a time limit: 工作日, 自然日, 月, 小时."""

    WORKDAY = "workday"
    DAY = "day"
    MONTH = "month"
    HOUR = "hour"

    @property
    def label(self) -> str:
        return {"workday": "个工作日", "day": "日", "month": "个月", "hour": "小时"}[self.value]


KNOWN_CATEGORIES: tuple[str, ...] = (
    "行政许可",
    "行政处罚",
    "行政强制",
    "行政征收",
    "行政给付",
    "行政检查",
    "行政确认",
    "行政奖励",
    "行政裁决",
    "其他行政权力",
)
"""The categories of 权力清单 (F-01); localities add variants, accepted with a warning."""

CATEGORY_CODES: dict[str, str] = {
    "行政许可": "XK",
    "行政处罚": "CF",
    "行政强制": "QZ",
    "行政征收": "ZS",
    "行政给付": "JF",
    "行政检查": "JC",
    "行政确认": "QR",
    "行政奖励": "JL",
    "行政裁决": "CJ",
    "其他行政权力": "QT",
}
"""Type codes used in the item code (GB/T 39554.1 style: subject code, type code, serial)."""


class Initiation(StrEnum):
    """How the power is set in motion: 依申请 or 依职权."""

    ON_APPLICATION = "on_application"
    EX_OFFICIO = "ex_officio"


class Rank(StrEnum):
    # The docstring is the description of a rank in `powerflow schema`: kept on one line there.
    (
        "Rank of a legal source (法律位阶); overrides of statutory defaults need a high enough "
        "rank."
    )

    LAW = "法律"
    ADMINISTRATIVE_REGULATION = "行政法规"
    LOCAL_REGULATION = "地方性法规"
    DEPARTMENT_RULE = "部门规章"
    LOCAL_RULE = "地方政府规章"
    NORMATIVE_DOCUMENT = "规范性文件"


class StepKind(StrEnum):
    """What a step does; the checks and the chart treat each kind its own way."""

    INTAKE = "intake"  # 受理
    FILING = "filing"  # 立案
    REVIEW = "review"  # 审查
    VERIFICATION = "verification"  # 核查 / 现场核查
    INVESTIGATION = "investigation"  # 调查取证
    NOTICE = "notice"  # 告知 (事先告知, 催告 …)
    HEARING = "hearing"  # 听证
    LEGAL_REVIEW = "legal_review"  # 法制审核
    COLLECTIVE_DISCUSSION = "collective_discussion"  # 集体讨论
    APPROVAL = "approval"  # 负责人审批
    DECISION = "decision"  # 决定
    DELIVERY = "delivery"  # 送达 / 发证
    EXECUTION = "execution"  # 执行
    SPECIAL = "special"  # 特别程序 (不计入办理时限)
    ARCHIVE = "archive"  # 归档 / 办结
    OTHER = "other"


class RightKind(StrEnum):
    """相对人的权利 that a step may give rise to."""

    REASONS = "要求说明理由"
    STATEMENT = "陈述"
    DEFENCE = "申辩"
    HEARING = "听证"
    RECUSAL = "申请回避"
    INSPECTION = "查阅"
    RECONSIDERATION = "复议"
    LITIGATION = "诉讼"
    INFORMATION = "知情"
    COMPENSATION = "国家赔偿"
    DEFERRAL = "申请延期或分期缴纳"


class CheckpointKind(StrEnum):
    """内部监督制约环节 bound to a step."""

    LEGAL_REVIEW = "法制审核"
    COLLECTIVE_DISCUSSION = "集体讨论"
    HEAD_APPROVAL = "负责人审批"
    E_SUPERVISION = "电子监察"
    DISCIPLINE = "纪检监察"
    RECUSAL = "回避审查"
    FILING = "备案"
    CASE_REVIEW = "案卷评查"
    OTHER = "其他"


class ChannelKind(StrEnum):
    """外部制约监督方式: how the counterparty voices a complaint or seeks a remedy."""

    COMPLAINT = "投诉"
    REPORT = "举报"
    RECONSIDERATION = "复议"
    LITIGATION = "诉讼"
    SUPERVISION = "监督"
    HOTLINE = "热线"


class PenaltyType(StrEnum):
    """行政处罚的种类 (行政处罚法 art. 9); the type decides whether a hearing must be offered."""

    WARNING = "警告"
    CRITICISM = "通报批评"
    FINE = "罚款"
    CONFISCATE_GAINS = "没收违法所得"
    CONFISCATE_PROPERTY = "没收非法财物"
    SUSPEND_LICENCE = "暂扣许可证件"
    DOWNGRADE = "降低资质等级"
    REVOKE_LICENCE = "吊销许可证件"
    RESTRICT_BUSINESS = "限制开展生产经营活动"
    SUSPEND_BUSINESS = "责令停产停业"
    CLOSE = "责令关闭"
    BAR_FROM_PRACTICE = "限制从业"
    DETENTION = "行政拘留"
    OTHER = "其他"


class PartyType(StrEnum):
    """当事人类型: 公民 (individual) or 法人或者其他组织 (organisation)."""

    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"

    @property
    def label(self) -> str:
        return {"individual": "公民", "organisation": "法人或者其他组织"}[self.value]


class OutcomeKind(StrEnum):
    """办理结果的类型: what an exit decides, read by the checks and the engine (never the words)."""

    PENALTY = "penalty"  # 处罚决定: 给予行政处罚
    NO_PENALTY = "no_penalty"  # 不予处罚 (行政处罚法 art. 33)
    GRANT = "grant"  # 准予、予以: 准予许可, 予以确认, 认定工伤, 予以公开, 免征
    PARTIAL = "partial"  # 部分准予、部分不予: 部分公开、部分不予公开
    REFUSAL = "refusal"  # 不予: 不予受理, 不予许可, 不予批准, 不予立案, 不予实施
    TRANSFER = "transfer"  # 移送: 移送司法机关, 移送普通程序办理, 移送强制执行
    DECISION = "decision"  # 其他处理决定: 征收, 裁决, 没收或者销毁, 强制执行, 责令改正
    RELEASE = "release"  # 解除: 解除强制措施 (行政强制法 art. 28)
    REPLY = "reply"  # 告知: 告知政府信息不存在, 告知非本机关负责公开 (政府信息公开条例 art. 36)
    CLOSURE = "closure"  # 终结: 申请终止, 视为放弃申请, 已履行, 执行完毕, 调解结案, 未发现问题

    @property
    def imposes_penalty(self) -> bool:
        """A 行政处罚 decision: the 告知, hearing and 裁量基准 rules apply to it."""
        return self is OutcomeKind.PENALTY

    @property
    def grants(self) -> bool:
        """The application is granted, wholly or in part (准予, 予以)."""
        return self in (OutcomeKind.GRANT, OutcomeKind.PARTIAL)

    @property
    def refuses(self) -> bool:
        """The application is refused, wholly or in part: reasons are owed (不予 …)."""
        return self in (OutcomeKind.REFUSAL, OutcomeKind.PARTIAL)

    @property
    def transfers(self) -> bool:
        """移送: the matter goes to another organ or procedure; nothing is decided on the party."""
        return self is OutcomeKind.TRANSFER


_OUTCOME_KINDS = ", ".join(kind.value for kind in OutcomeKind)


class TierKind(StrEnum):
    """裁量档次 of a discretion benchmark (裁量基准), from lightest to heaviest."""

    NO_PENALTY = "不予处罚"
    MITIGATED = "减轻"
    LIGHTER = "从轻"
    ORDINARY = "一般"
    HEAVIER = "从重"


# ---------------------------------------------------------------------------------------------
# Building blocks

_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
_CODE_PATTERN = r"^\d{8}[A-Z]{2}-[A-Z]{2}-\d{4}(-\d{1,3})?$"


def _text_from_number(value: Any) -> Any:
    """Accept a YAML integer where text is meant (article 42 → "42")."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _version_text(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError(f"quote the version so it stays exact, e.g. version: '{value}'")
    return _text_from_number(value)


def _required(field: str, message: str, at: tuple[str | int, ...] = ()) -> PydanticCustomError:
    """A field required by another field's value: reported as missing at ``at`` + ``field``."""
    return PydanticCustomError(
        REQUIRED_HERE, "{message}", {"message": message, "path": (*at, field)}
    )


REQUIRED_HERE = "required_here"
"""The pydantic error type of a field that another field's value makes required."""

Text = Annotated[str, Field(min_length=1)]
Identifier = Annotated[str, Field(pattern=_ID_PATTERN, description="ascii id: a-z, 0-9, _")]
ArticleText = Annotated[str, BeforeValidator(_text_from_number), Field(min_length=1)]


class DefinitionPart(BaseModel):
    """Common configuration: frozen, unknown keys rejected, enum values kept as enums."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Citation(DefinitionPart):
    """An article-level legal citation (设定依据/实施依据), e.g. 行政许可法 第四十二条."""

    law: Text = Field(description="法律规范名称, e.g. 中华人民共和国行政许可法")
    article: ArticleText = Field(description="条款, e.g. 42 or 第四十二条第一款")
    rank: Rank | None = Field(
        default=None, description="位阶: 法律/行政法规/地方性法规/规章/规范性文件"
    )
    text: str | None = Field(default=None, description="条文摘录 (excerpt of the article)")

    def label(self) -> str:
        article = self.article
        if article[0].isdigit():
            article = f"第{article}条"
        return f"《{self.law.removeprefix('中华人民共和国')}》{article}"


class Duration(DefinitionPart):
    """A time limit (时限): value, unit and the article that sets it."""

    value: int = Field(gt=0, description="数值")
    unit: TimeUnit = Field(description="单位: workday 工作日, day 自然日, month 月, hour 小时")
    basis: Citation | None = Field(
        default=None, description="依据 (the article that sets this limit)"
    )
    roll_if_off: bool = Field(
        default=False,
        description="期间届满日为法定休假日的，以休假日后的第一日为届满日 (民事诉讼法 art. 85)",
    )

    def label(self) -> str:
        return f"{self.value}{self.unit.label}"


class Extension(DefinitionPart):
    """延长: how far a limit may be extended, who approves and whether the party is told."""

    max: Duration = Field(description="最长延长期限")
    approver: Identifier = Field(description="批准延长的岗位 (post id), e.g. 机关负责人")
    notify_party: bool = Field(description="是否将延长期限的理由告知相对人")
    basis: Citation | None = Field(default=None, description="延长的依据")


class CaseLimits(DefinitionPart):
    """办理时限 of the whole case: 法定时限, 承诺时限 and extension."""

    legal: Duration = Field(description="法定时限")
    promised: Duration | None = Field(default=None, description="承诺时限")
    extension: Extension | None = Field(default=None, description="延长 (e.g. 行政许可法 art. 42)")
    starts_at: str | None = Field(
        default=None, description="起算点 as published, e.g. 自受理之日起 / 自立案之日起"
    )
    clock_starts: Identifier | None = Field(
        default=None,
        description="the step at whose entry the case clock starts (default: the start step)",
    )


class Fees(DefinitionPart):
    """收费: whether a fee is charged, on what basis and at what standard."""

    charged: bool = Field(description="是否收费")
    basis: list[Citation] = Field(default_factory=list, description="收费依据")
    standard: str | None = Field(default=None, description="收费标准")


class Contact(DefinitionPart):
    """办理地点、时间与咨询电话."""

    phone: Text = Field(description="咨询电话")
    address: str | None = Field(default=None, description="办理地点")
    hours: str | None = Field(default=None, description="办理时间")
    website: str | None = Field(default=None, description="网上办理地址")


class Disclosure(DefinitionPart):
    """公开: what is made public, to whom, how and when."""

    content: Text = Field(description="公开内容")
    scope: Text = Field(description="公开范围")
    form: Text = Field(description="公开形式")
    time_limit: Text = Field(description="公开时限")


class Conditions(DefinitionPart):
    """行使权力的条件: on application or ex officio, with its legal and factual basis."""

    initiation: Initiation = Field(description="依申请 (on_application) 或依职权 (ex_officio)")
    description: str = Field(description="行使权力的条件 (legal and factual conditions)")
    basis: list[Citation] = Field(default_factory=list, description="条件的法律依据")
    materials: list[str] = Field(default_factory=list, description="申请材料 (closed list)")


class Post(DefinitionPart):
    """承办岗位: the post (and its 内设机构) that handles steps."""

    id: Identifier
    name: Text = Field(description="岗位名称, e.g. 受理岗")
    unit: Text = Field(description="所在内设机构或单位, e.g. 行政审批科")
    qualifications: list[str] = Field(
        default_factory=list, description="任职资格, e.g. 执法证, 法律职业资格"
    )
    head: bool = Field(default=False, description="是否为机关负责人岗位")


class Right(DefinitionPart):
    """相对人的权利 arising at a step, with the window in which it can be exercised."""

    right: RightKind = Field(description="权利: 要求说明理由, 陈述, 申辩, 听证 …")
    window: Duration | None = Field(default=None, description="行使期限, e.g. 5 workday")
    description: str | None = Field(default=None, description="说明")
    basis: Citation | None = Field(default=None, description="依据")


class Checkpoint(DefinitionPart):
    """内部监督制约环节 bound to a step: who supervises and how."""

    kind: CheckpointKind = Field(description="法制审核, 集体讨论, 负责人审批, 电子监察 …")
    post: Identifier | None = Field(default=None, description="监督岗位 (post id)")
    supervisor: str | None = Field(default=None, description="监督机构 (when not a post)")
    how: Text = Field(description="监督方式")
    contact: str | None = Field(default=None, description="联系方式")

    @model_validator(mode="after")
    def _someone_supervises(self) -> Checkpoint:
        if self.post is None and self.supervisor is None:
            raise ValueError("a checkpoint needs a post (post id) or a supervisor (body name)")
        return self


class Pause(DefinitionPart):
    """特别程序: the step's time is not counted in the case limit (不计入办理时限)."""

    reason: Text = Field(description="听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审、补正 …")
    written_notice: bool = Field(description="是否书面告知相对人所需时间")
    basis: Citation | None = Field(default=None, description="依据, e.g. 行政许可法 第四十五条")


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
            raise _required(
                "outcome_kind",
                f"the outcome {self.outcome} needs its outcome_kind, one of: {_OUTCOME_KINDS}",
            )
        if self.outcome_kind is not None and self.outcome is None:
            raise _required(
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
                raise _required(
                    "outcome_kind",
                    f"the action {action.action} leaves a decision step: state its outcome "
                    f"(办理结果) and outcome_kind, one of: {_OUTCOME_KINDS}",
                    at=("actions", index),
                )
        return self


class SupervisingBody(DefinitionPart):
    """内部监督机构 and how to reach it."""

    name: Text
    contact: Text
    duties: str | None = None


class Channel(DefinitionPart):
    """外部制约监督方式: a complaint channel or a remedy route with its period."""

    kind: ChannelKind = Field(description="投诉, 举报, 复议, 诉讼, 监督, 热线")
    name: Text = Field(description="机关或渠道名称")
    phone: str | None = None
    address: str | None = None
    website: str | None = None
    period: Duration | None = Field(default=None, description="申请期限, e.g. 60 day for 复议")
    basis: Citation | None = None


class Supervision(DefinitionPart):
    """内部监督机构 and 外部制约监督方式 of the power."""

    internal: list[SupervisingBody] = Field(default_factory=list, description="内部监督机构")
    external: list[Channel] = Field(description="外部制约监督方式 (投诉举报、复议、诉讼)")


class PenaltyProfile(DefinitionPart):
    """处罚种类与数额 of a 行政处罚: decide the hearing right and the 简易程序 guard."""

    types: list[PenaltyType] = Field(min_length=1, description="处罚种类 (行政处罚法 art. 9)")
    parties: list[PartyType] = Field(
        default_factory=lambda: [PartyType.INDIVIDUAL, PartyType.ORGANISATION],
        min_length=1,
        description="当事人类型: individual 公民, organisation 法人或者其他组织",
    )
    max_fine: dict[PartyType, Decimal] = Field(
        default_factory=dict,
        description="最高罚款数额 (元) per party type; leave a party out when the fine has no "
        "fixed ceiling (a multiple of 违法所得 or 货值金额) or comes from the benchmarks",
    )
    jurisdiction: str | None = Field(
        default=None, description="较大数额标准适用的地区 (jurisdiction), e.g. 浙江省"
    )
    sector: str | None = Field(default=None, description="行业 (sector), e.g. 市场监管, 公安")
    basis: Citation | None = Field(
        default=None,
        description="依据 of the types and amounts, e.g. a law allowing a higher 简易程序 amount",
    )


class FineRange(DefinitionPart):
    """罚款幅度: an amount in 元, or multiples of a base amount such as 违法所得 or 货值金额."""

    min: Decimal = Field(default=Decimal(0), ge=0, description="下限; 0 when only a maximum is set")
    max: Decimal = Field(gt=0, description="上限")
    of: str | None = Field(
        default=None, description="倍数基数, e.g. 货值金额, 违法所得; omit for amounts in 元"
    )

    @model_validator(mode="after")
    def _ordered(self) -> FineRange:
        if self.min > self.max:
            raise ValueError(f"the minimum {self.min} is above the maximum {self.max}")
        return self

    def label(self) -> str:
        low, high = amount_text(self.min), amount_text(self.max)
        if self.of:
            return f"{self.of}{low}倍以上{high}倍以下"
        return f"{low}元以上{high}元以下" if self.min else f"{high}元以下"


def amount_text(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent: 50000, 0.5."""
    return format(value.normalize(), "f")


class Tier(DefinitionPart):
    """裁量档次: the circumstances that place a case in this tier and the fine it allows."""

    tier: TierKind = Field(description="档次: 不予处罚, 减轻, 从轻, 一般, 从重")
    circumstances: list[str] = Field(default_factory=list, description="适用情形")
    fine: FineRange | None = Field(default=None, description="罚款幅度; none for 不予处罚")
    grounds: list[Citation] = Field(
        default_factory=list,
        description="法定依据 for 减轻 and 不予处罚 (行政处罚法 arts. 32, 33)",
    )
    description: str | None = Field(default=None, description="说明 (e.g. 其他处罚种类)")


class Band(DefinitionPart):
    """One statutory range of a violation, chosen by a base amount (e.g. 货值金额不足一万元)."""

    when: str | None = Field(default=None, description="适用条件 as the statute words it")
    measure: str | None = Field(
        default=None, description="the base amount that selects this band, e.g. 货值金额"
    )
    at_least: Decimal | None = Field(default=None, ge=0, description="以上 (≥), in 元")
    below: Decimal | None = Field(default=None, gt=0, description="不足 (<), in 元")
    statutory: FineRange = Field(description="法定处罚幅度")
    tiers: list[Tier] = Field(min_length=1, description="裁量档次")

    @model_validator(mode="after")
    def _selector(self) -> Band:
        if (self.at_least is not None or self.below is not None) and not self.measure:
            raise ValueError("a band chosen by at_least or below must name its measure")
        if self.at_least is not None and self.below is not None and self.at_least >= self.below:
            raise ValueError(f"at_least {self.at_least} must be below below {self.below}")
        return self

    def selects(self, amounts: typing.Mapping[str, Decimal]) -> bool:
        """True when the base amounts fall in this band (a band without a measure always does)."""
        if not self.measure:
            return True
        value = amounts[self.measure]
        if self.at_least is not None and value < self.at_least:
            return False
        return self.below is None or value < self.below


class Benchmark(DefinitionPart):
    """裁量基准 of one violation (违法行为): statutory range(s) and tiers (行政处罚法 art. 34)."""

    violation: Text = Field(description="违法行为编码, e.g. SJ-SP-122-01")
    name: Text = Field(description="违法行为名称")
    basis: list[Citation] = Field(min_length=1, description="违法依据与处罚依据")
    types: list[PenaltyType] = Field(default_factory=list, description="处罚种类")
    bands: list[Band] = Field(min_length=1, description="法定幅度 (one per statutory range)")

    @model_validator(mode="after")
    def _bands_partition(self) -> Benchmark:
        measures = {band.measure for band in self.bands}
        if len(self.bands) > 1 and (None in measures or len(measures) > 1):
            raise ValueError("several bands must all be chosen by the same measure")
        spans = sorted(
            ((band.at_least or Decimal(0), band.below) for band in self.bands),
            key=lambda span: span[0],
        )
        for (_, first_below), (second_low, _) in itertools.pairwise(spans):
            if first_below is None or first_below > second_low:
                raise ValueError("the bands' at_least/below ranges overlap")
        return self


class Definition(DefinitionPart):
    """One administrative power: catalog entry plus runnable procedure (权力运行流程)."""

    code: Annotated[str, Field(pattern=_CODE_PATTERN)] = Field(
        description="事项编码 (GB/T 39554.1 style), e.g. 33112300SJ-XK-0001"
    )
    name: Text = Field(description="权力名称")
    category: Text = Field(description="权力类别: 行政许可, 行政处罚, 行政强制 …")
    procedure: str | None = Field(default=None, description="程序类型, e.g. 普通程序, 简易程序")
    version: Annotated[str, BeforeValidator(_version_text), Field(pattern=r"^\d+(\.\d+)*$")] = (
        Field(description="版本号 (quoted), e.g. '1.0'")
    )
    effective: dt.date = Field(description="生效日期")
    subject: Text = Field(description="实施主体")
    handling_unit: Text = Field(description="承办机构 (内设科室)")
    level: str | None = Field(default=None, description="行使层级, e.g. 县级")
    basis: list[Citation] = Field(min_length=1, description="设定依据与实施依据 (article-level)")
    fees: Fees = Field(description="收费")
    contact: Contact = Field(description="办理地点、时间与咨询电话")
    disclosure: Disclosure = Field(description="公开内容、范围、形式、时限")
    conditions: Conditions = Field(description="行使权力的条件")
    posts: list[Post] = Field(description="承办岗位")
    steps: list[Step] = Field(description="运行程序 (环节)")
    limits: CaseLimits = Field(description="办理时限 (法定时限, 承诺时限)")
    supervision: Supervision = Field(description="监督制约")
    joint: bool = Field(
        default=False,
        description="统一办理、联合办理、集中办理 (行政许可法 art. 26): 45 个工作日, +15 with the "
        "approval of the 本级人民政府负责人 (art. 42)",
    )
    entrusted_by: str | None = Field(
        default=None,
        description="委托机关 when the subject exercises the power by entrustment (委托实施); "
        "行政强制措施 may not be entrusted (行政强制法 art. 17)",
    )
    penalty: PenaltyProfile | None = Field(
        default=None, description="处罚种类与数额 (行政处罚 only)"
    )
    benchmarks: list[Benchmark] = Field(
        default_factory=list, description="行政处罚裁量基准 (published with the catalog)"
    )

    @field_validator("category")
    @classmethod
    def _category_is_a_name(cls, value: str) -> str:
        if len(value) > 20:
            raise ValueError("a category is a short name such as 行政许可")
        return value

    def post(self, post_id: str) -> Post:
        return next(post for post in self.posts if post.id == post_id)

    def step(self, step_id: str) -> Step:
        return next(step for step in self.steps if step.id == step_id)


# ---------------------------------------------------------------------------------------------
# Source locations


@dataclass(frozen=True)
class SourceMap:
    """Where each field path of a definition stands in its YAML file, and the text read."""

    file: str
    lines: dict[str, int]
    text: str = ""

    def line_of(self, field: str) -> int:
        """The line of the field, or of its nearest ancestor that the file spells out."""
        return Lines(self.lines).line_of(field)


@dataclass(frozen=True)
class LoadedDefinition:
    """A definition together with the file it came from and the lines of its fields."""

    definition: Definition
    source: SourceMap

    @property
    def file(self) -> str:
        return self.source.file


# ---------------------------------------------------------------------------------------------
# Loading


def load_definition(path: Path | str) -> LoadedDefinition:
    """Load and validate one YAML definition; DefinitionError names file, line and field."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DefinitionError([_finding(file, 1, "", "load.file", "no such file")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([_finding(file, 1, "", "load.file", f"cannot read: {exc}")]) from exc
    return parse_definition(text, file)


def parse_definition(text: str, file: str = "<string>") -> LoadedDefinition:
    """Parse and validate definition YAML text; ``file`` names it in findings."""
    try:
        data, lines = read_yaml(text)
    except YamlProblem as problem:
        message = problem.message
        if problem.rule == "load.empty":
            message = "the file is empty; a definition is a mapping"
        raise DefinitionError(
            [_finding(file, problem.line, problem.field, problem.rule, message)]
        ) from problem
    if not isinstance(data, dict):
        raise DefinitionError(
            [
                _finding(
                    file, 1, "", "load.not-a-mapping", "a definition is a YAML mapping of fields"
                )
            ]
        )
    source = SourceMap(file=file, lines=lines.lines, text=text)
    try:
        definition = Definition.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(list(_schema_findings(exc, data, source))) from exc
    problems = list(_reference_findings(definition, source))
    if problems:
        raise DefinitionError(problems)
    return LoadedDefinition(definition=definition, source=source)


def definition_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their *.yaml / *.yml files (sorted); files are kept as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


def load_definitions(paths: Iterable[Path]) -> tuple[list[LoadedDefinition], list[Finding]]:
    """Load every definition under the given files or folders; collect findings, never stop early.

    Codes must be unique across the set (a duplicate is a finding on the later file).
    """
    loaded: list[LoadedDefinition] = []
    findings: list[Finding] = []
    seen: dict[str, LoadedDefinition] = {}
    for file in definition_files(paths):
        try:
            item = load_definition(file)
        except DefinitionError as exc:
            findings.extend(exc.findings)
            continue
        code = item.definition.code
        if code in seen:
            findings.append(
                _finding(
                    item.file,
                    item.source.line_of("code"),
                    "code",
                    "load.duplicate-code",
                    f"the code {code} is already used by {seen[code].file}",
                )
            )
            continue
        seen[code] = item
        loaded.append(item)
    return loaded, findings


def _finding(file: str, line: int, field: str, rule: str, message: str) -> Finding:
    return Finding(file, line, field, rule, Severity.ERROR, message)


# ---------------------------------------------------------------------------------------------
# Schema errors → findings


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional[...], list[...] and Annotated[...]."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (list, tuple, typing.Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            if arg is not type(None) and arg is not Ellipsis:
                found.extend(_unwrap(arg))
        return found
    return [annotation]


def _type_at(loc: Sequence[int | str]) -> list[Any]:
    """The types a location may hold, walking the definition schema."""
    candidates: list[Any] = [Definition]
    for element in loc:
        if isinstance(element, int):
            continue
        following: list[Any] = []
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                field = candidate.model_fields.get(element)
                if field is not None:
                    following.extend(_unwrap(field.annotation))
        candidates = following
    return candidates


def _allowed_values(loc: Sequence[int | str]) -> list[str]:
    values: list[str] = []
    for candidate in _type_at(loc):
        if isinstance(candidate, type) and issubclass(candidate, StrEnum):
            values.extend(member.value for member in candidate)
        elif typing.get_origin(candidate) is Literal:
            values.extend(str(arg) for arg in typing.get_args(candidate))
    return values


def _allowed_keys(loc: Sequence[int | str]) -> list[str]:
    keys: list[str] = []
    for candidate in _type_at(loc):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            keys.extend(candidate.model_fields)
    return keys


def _schema_findings(exc: ValidationError, data: Any, source: SourceMap) -> Iterator[Finding]:
    for error in exc.errors():
        loc = error["loc"]
        kind = error["type"]
        # Errors inside a union report the union branch name in loc; drop those.
        loc = tuple(part for part in loc if not (isinstance(part, str) and "[" in part))
        field = display_path(tuple(loc), data)
        line = source.line_of(field)
        value = error.get("input")
        if kind == "extra_forbidden":
            name = str(loc[-1])
            allowed = _allowed_keys(loc[:-1])
            hint = did_you_mean(name, allowed)
            expected = ", ".join(allowed)
            message = f"unknown key {name}{hint}; allowed here: {expected}"
            rule = "load.unknown-key"
        elif kind == "missing":
            message = f"the field {loc[-1]} is required here"
            rule = "load.missing-field"
        elif kind == REQUIRED_HERE:
            field = display_path((*loc, *error["ctx"]["path"]), data)
            line = source.line_of(field)
            message = str(error["ctx"]["message"])
            rule = "load.missing-field"
        elif kind in ("enum", "literal_error"):
            allowed_values = _allowed_values(loc)
            hint = did_you_mean(str(value), allowed_values)
            message = f"{value} is not allowed{hint}; expected one of: {', '.join(allowed_values)}"
            rule = "load.invalid-value"
        elif kind == "string_pattern_mismatch":
            message = f"{value} does not have the expected form ({error['ctx']['pattern']})"
            rule = "load.invalid-value"
        else:
            message = _plain_message(error["msg"], value)
            rule = (
                "load.wrong-type"
                if kind.endswith("_type") or "parsing" in kind
                else "load.invalid-value"
            )
        yield _finding(source.file, line, field, rule, message)


def _plain_message(message: str, value: Any) -> str:
    message = message.removeprefix("Value error, ")
    if isinstance(value, dict | list) or value is None:
        return message
    return f"{message} (got {value})"


# ---------------------------------------------------------------------------------------------
# References between parts of one definition


def _reference_findings(definition: Definition, source: SourceMap) -> Iterator[Finding]:
    """Duplicate ids and references to unknown posts, steps or guards."""

    def finding(field: str, rule: str, message: str) -> Finding:
        return _finding(source.file, source.line_of(field), field, rule, message)

    post_ids = [post.id for post in definition.posts]
    step_ids = [step.id for step in definition.steps]
    for kind, ids, prefix in (("post", post_ids, "posts"), ("step", step_ids, "steps")):
        for index, name in enumerate(ids):
            if name in ids[:index]:
                yield finding(
                    f"{prefix}.{index}.id", "load.duplicate-id",
                    f"the {kind} id {name} is used twice",
                )

    def unknown(field: str, kind: str, name: str, known: list[str]) -> Finding:
        rule = f"load.unknown-{kind}"
        return finding(field, rule, f"unknown {kind} {name}{did_you_mean(name, known)}")

    for step in definition.steps:
        where = f"steps.{step.id}" if step_ids.count(step.id) == 1 else "steps"
        if step.post not in post_ids:
            yield unknown(f"{where}.post", "post", step.post, post_ids)
        for index, checkpoint in enumerate(step.checkpoints):
            if checkpoint.post is not None and checkpoint.post not in post_ids:
                field = f"{where}.checkpoints.{index}.post"
                yield unknown(field, "post", checkpoint.post, post_ids)
        action_names = [action.action for action in step.actions]
        for index, action in enumerate(step.actions):
            unique = action_names.count(action.action) == 1
            at = f"{where}.actions.{action.action if unique else index}"
            if not unique and action.action in action_names[:index]:
                yield finding(
                    f"{at}.action",
                    "load.duplicate-action",
                    f"the action {action.action} is declared twice on step {step.id}; "
                    "an action must lead to one step",
                )
            if action.to not in step_ids:
                yield unknown(f"{at}.to", "step", action.to, step_ids)
            if action.post is not None and action.post not in post_ids:
                yield unknown(f"{at}.post", "post", action.post, post_ids)
            if action.guard is not None and action.guard not in GUARDS:
                yield unknown(f"{at}.guard", "guard", action.guard, list(GUARDS))
    clock_starts = definition.limits.clock_starts
    if clock_starts is not None and clock_starts not in step_ids:
        yield unknown("limits.clock_starts", "step", clock_starts, step_ids)
    extension = definition.limits.extension
    if extension is not None and extension.approver not in post_ids:
        yield unknown("limits.extension.approver", "post", extension.approver, post_ids)


def definition_schema() -> dict[str, Any]:
    """The JSON Schema of the definition language, for editors that validate YAML as it is typed."""
    schema = Definition.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "powerflow definition (行政权力运行流程定义)"
    return schema
