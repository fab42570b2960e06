"""Loading YAML definitions: schema validation, then references between parts, as findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from powerflow.definition.schema import Definition
from powerflow.definition.schema_errors import error_finding, schema_findings
from powerflow.definition.sources import LoadedDefinition, SourceMap
from powerflow.errors import DefinitionError, did_you_mean
from powerflow.findings import Finding
from powerflow.guards import GUARDS
from powerflow.yamlsource import YamlProblem, read_yaml


def load_definition(path: Path | str) -> LoadedDefinition:
    """Load and validate one YAML definition; DefinitionError names file, line and field."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DefinitionError([error_finding(file, 1, "", "load.file", "no such file")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        problem = error_finding(file, 1, "", "load.file", f"cannot read: {exc}")
        raise DefinitionError([problem]) from exc
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
            [error_finding(file, problem.line, problem.field, problem.rule, message)]
        ) from problem
    if not isinstance(data, dict):
        raise DefinitionError(
            [
                error_finding(
                    file, 1, "", "load.not-a-mapping", "a definition is a YAML mapping of fields"
                )
            ]
        )
    source = SourceMap(file=file, lines=lines.lines, text=text)
    try:
        definition = Definition.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(list(schema_findings(exc, data, source))) from exc
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
                error_finding(
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


# ---------------------------------------------------------------------------------------------
# References between parts of one definition


def _reference_findings(definition: Definition, source: SourceMap) -> Iterator[Finding]:
    """Duplicate ids and references to unknown posts, steps or guards."""

    def finding(field: str, rule: str, message: str) -> Finding:
        return error_finding(source.file, source.line_of(field), field, rule, message)

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
