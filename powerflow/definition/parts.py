"""A definition's building blocks: citations, limits, posts, rights, checkpoints, supervision."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from powerflow.definition.vocabulary import (
    ChannelKind,
    CheckpointKind,
    Initiation,
    Rank,
    RightKind,
    TimeUnit,
)

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
CODE_PATTERN = r"^\d{8}[A-Z]{2}-[A-Z]{2}-\d{4}(-\d{1,3})?$"


def text_from_number(value: Any) -> Any:
    """Accept a YAML integer where text is meant (article 42 → "42")."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def version_text(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError(f"quote the version so it stays exact, e.g. version: '{value}'")
    return text_from_number(value)


def required_here(field: str, message: str, at: tuple[str | int, ...] = ()) -> PydanticCustomError:
    """A field required by another field's value: reported as missing at ``at`` + ``field``."""
    return PydanticCustomError(
        REQUIRED_HERE, "{message}", {"message": message, "path": (*at, field)}
    )


REQUIRED_HERE = "required_here"
"""The pydantic error type of a field that another field's value makes required."""

Text = Annotated[str, Field(min_length=1)]
Identifier = Annotated[str, Field(pattern=ID_PATTERN, description="ascii id: a-z, 0-9, _")]
ArticleText = Annotated[str, BeforeValidator(text_from_number), Field(min_length=1)]


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
