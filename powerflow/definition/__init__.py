"""The definition language of an administrative power (行政权力) and its YAML loader.

A definition carries everything the published flowchart (权力运行流程图) and the catalog entry
(权力目录) must state: 行使权力的条件, 承办岗位, 运行程序及相关接口, 办理时限, 内部监督制约环节,
相对人的权利 and 外部制约监督方式. It is frozen and rejects unknown keys.

``load_definition(path)`` returns a :class:`LoadedDefinition` (the definition plus a map from
field paths to YAML lines) or raises :class:`DefinitionError` whose findings name the file, the
line and the field path, e.g. ``definitions/x.yaml:14: steps.review.limit.unit: …``.

The package is split by concern: ``vocabulary`` (units, kinds, categories), ``parts`` (citations,
limits, posts, rights, checkpoints, supervision), ``procedure`` (steps and actions),
``benchmarks`` (处罚种类与数额, 裁量基准), ``schema`` (the whole definition and its JSON Schema),
``sources`` (file and lines), ``schema_errors`` (validation errors as findings) and ``loading``.
Every public name is re-exported here: import from ``powerflow.definition``.
"""

from __future__ import annotations

from powerflow.definition.benchmarks import (
    Band,
    Benchmark,
    FineRange,
    PenaltyProfile,
    Tier,
    amount_text,
)
from powerflow.definition.loading import (
    definition_files,
    load_definition,
    load_definitions,
    parse_definition,
)
from powerflow.definition.parts import (
    REQUIRED_HERE,
    ArticleText,
    CaseLimits,
    Channel,
    Checkpoint,
    Citation,
    Conditions,
    Contact,
    DefinitionPart,
    Disclosure,
    Duration,
    Extension,
    Fees,
    Identifier,
    Pause,
    Post,
    Right,
    SupervisingBody,
    Supervision,
    Text,
)
from powerflow.definition.procedure import (
    Action,
    Step,
)
from powerflow.definition.schema import (
    Definition,
    definition_schema,
)
from powerflow.definition.sources import (
    LoadedDefinition,
    SourceMap,
)
from powerflow.definition.vocabulary import (
    CATEGORY_CODES,
    KNOWN_CATEGORIES,
    ChannelKind,
    CheckpointKind,
    Initiation,
    OutcomeKind,
    PartyType,
    PenaltyType,
    Rank,
    RightKind,
    StepKind,
    TierKind,
    TimeUnit,
)

__all__ = [
    "CATEGORY_CODES",
    "KNOWN_CATEGORIES",
    "REQUIRED_HERE",
    "Action",
    "ArticleText",
    "Band",
    "Benchmark",
    "CaseLimits",
    "Channel",
    "ChannelKind",
    "Checkpoint",
    "CheckpointKind",
    "Citation",
    "Conditions",
    "Contact",
    "Definition",
    "DefinitionPart",
    "Disclosure",
    "Duration",
    "Extension",
    "Fees",
    "FineRange",
    "Identifier",
    "Initiation",
    "LoadedDefinition",
    "OutcomeKind",
    "PartyType",
    "Pause",
    "PenaltyProfile",
    "PenaltyType",
    "Post",
    "Rank",
    "Right",
    "RightKind",
    "SourceMap",
    "Step",
    "StepKind",
    "SupervisingBody",
    "Supervision",
    "Text",
    "Tier",
    "TierKind",
    "TimeUnit",
    "amount_text",
    "definition_files",
    "definition_schema",
    "load_definition",
    "load_definitions",
    "parse_definition",
]
