"""The vocabulary of the definition language: units, kinds, categories, with Chinese terms."""

from __future__ import annotations

from enum import StrEnum


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



class TierKind(StrEnum):
    """裁量档次 of a discretion benchmark (裁量基准), from lightest to heaviest."""

    NO_PENALTY = "不予处罚"
    MITIGATED = "减轻"
    LIGHTER = "从轻"
    ORDINARY = "一般"
    HEAVIER = "从重"
