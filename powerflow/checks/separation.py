"""Separation of duties (职能分离): who investigates does not hold the hearing, who handles a case
does not review its legality, and who decides a fine does not collect it.

A post handles a step when it is the step's post or performs one of its actions. The handling
(承办) steps are 立案, 审查, 核查 and 调查取证 (``filing``, ``review``, ``verification``,
``investigation``).
"""

from __future__ import annotations

from collections.abc import Iterator

from powerflow.checks.common import step_field, steps_of_kind
from powerflow.checks.registry import Violation, rule
from powerflow.compiler import CompiledPower
from powerflow.definition import CheckpointKind, Step, StepKind
from powerflow.findings import Severity

ERROR = Severity.ERROR
HANDLING = (StepKind.FILING, StepKind.REVIEW, StepKind.VERIFICATION, StepKind.INVESTIGATION)


def _posts(step: Step) -> set[str]:
    return {step.post} | {action.post for action in step.actions if action.post}


def _handling_posts(power: CompiledPower, *kinds: StepKind) -> dict[str, str]:
    """Post id → the first handling step it works on."""
    posts: dict[str, str] = {}
    for step in steps_of_kind(power, *kinds):
        for post in sorted(_posts(step)):
            posts.setdefault(post, step.id)
    return posts


@rule(
    "separation.hearing-host",
    ERROR,
    "the hearing host is not a post that investigates or reviews the case",
    statute="行政许可法; 行政处罚法",
    article="许可 48; 处罚 64",
)
def hearing_host(power: CompiledPower) -> Iterator[Violation]:
    handling = _handling_posts(
        power, StepKind.REVIEW, StepKind.VERIFICATION, StepKind.INVESTIGATION
    )
    for step in steps_of_kind(power, StepKind.HEARING):
        if step.post in handling:
            yield Violation(
                step_field(step.id, "post"),
                f"hearing step {step.id} is hosted by {step.post}, who also handles step "
                f"{handling[step.post]}: 听证由行政机关指定的非本案调查人员主持",
            )


@rule(
    "separation.legal-review",
    ERROR,
    "法制审核 is done by a post other than the handling post",
    statute="行政处罚法; 国办发〔2018〕118号",
    article="处罚 58",
)
def legal_review(power: CompiledPower) -> Iterator[Violation]:
    handling = _handling_posts(power, *HANDLING)
    for step in power.definition.steps:
        reviewers: list[tuple[str, str]] = []
        if step.kind is StepKind.LEGAL_REVIEW:
            reviewers.append((step_field(step.id, "post"), step.post))
        for index, checkpoint in enumerate(step.checkpoints):
            if checkpoint.kind is CheckpointKind.LEGAL_REVIEW and checkpoint.post:
                reviewers.append(
                    (step_field(step.id, f"checkpoints.{index}.post"), checkpoint.post)
                )
        for field, post in reviewers:
            if post in handling:
                yield Violation(
                    field,
                    f"法制审核 at step {step.id} is done by {post}, who also handles step "
                    f"{handling[post]}: the reviewing post must be separate from the handling post",
                )


@rule(
    "separation.fine-collection",
    ERROR,
    "the post that decides a penalty does not collect the fine",
    statute="行政处罚法",
    article="67",
)
def fine_collection(power: CompiledPower) -> Iterator[Violation]:
    if power.definition.category != "行政处罚":
        return
    deciding = _handling_posts(power, StepKind.DECISION)
    for step in steps_of_kind(power, StepKind.EXECUTION):
        for post in sorted(_posts(step)):
            if post in deciding:
                yield Violation(
                    step_field(step.id, "post"),
                    f"step {step.id} collects the fine by {post}, who also decides at step "
                    f"{deciding[post]}: 作出罚款决定的行政机关应当与收缴罚款的机构分离 (art. 67)",
                )
