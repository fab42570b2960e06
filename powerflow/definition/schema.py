"""The whole definition of one power and the JSON Schema of the language."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator

from powerflow.definition.benchmarks import Benchmark, PenaltyProfile
from powerflow.definition.parts import (
    CODE_PATTERN,
    CaseLimits,
    Citation,
    Conditions,
    Contact,
    DefinitionPart,
    Disclosure,
    Fees,
    Post,
    Supervision,
    Text,
    version_text,
)
from powerflow.definition.procedure import Step


class Definition(DefinitionPart):
    """One administrative power: catalog entry plus runnable procedure (权力运行流程)."""

    code: Annotated[str, Field(pattern=CODE_PATTERN)] = Field(
        description="事项编码 (GB/T 39554.1 style), e.g. 33112300SJ-XK-0001"
    )
    name: Text = Field(description="权力名称")
    category: Text = Field(description="权力类别: 行政许可, 行政处罚, 行政强制 …")
    procedure: str | None = Field(default=None, description="程序类型, e.g. 普通程序, 简易程序")
    version: Annotated[str, BeforeValidator(version_text), Field(pattern=r"^\d+(\.\d+)*$")] = (
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


def definition_schema() -> dict[str, Any]:
    """The JSON Schema of the definition language, for editors that validate YAML as it is typed."""
    schema = Definition.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "powerflow definition (行政权力运行流程定义)"
    return schema
