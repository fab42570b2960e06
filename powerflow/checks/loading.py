"""Rules enforced while a definition file is loaded (syntax, schema, references).

The loader in ``powerflow.definition`` reports these; they are registered here so that
``powerflow rules`` documents every rule id a user can meet.
"""

from __future__ import annotations

from powerflow.checks.registry import Rule, register
from powerflow.findings import Severity

_E = Severity.ERROR

for _id, _summary in (
    ("load.file", "the definition file exists and is readable UTF-8 text"),
    ("load.empty", "the file is not empty"),
    ("load.yaml-syntax", "the file is valid YAML"),
    ("load.too-large", "the file is at most a million characters long"),
    ("load.too-deep", "mappings and lists nest at most 40 levels deep"),
    ("load.alias-budget", "aliases expand the file to at most 200,000 nodes (no alias bombs)"),
    ("load.not-a-mapping", "the document is a mapping of fields"),
    ("load.duplicate-key", "no key appears twice in one mapping"),
    ("load.unknown-key", "every key is part of the definition language (with a did-you-mean)"),
    ("load.missing-field", "every required field is present (every step has a post and a limit)"),
    ("load.wrong-type", "every value has the right type"),
    ("load.invalid-value", "every value is allowed (units, kinds, rights, code and id forms)"),
    ("load.duplicate-id", "post and step ids are unique"),
    ("load.duplicate-action", "actions are unique per step"),
    ("load.unknown-post", "every post reference names a declared post"),
    ("load.unknown-step", "every action leads to a declared step"),
    ("load.unknown-guard", "every guard is a name from the guard registry"),
    ("load.duplicate-code", "item codes are unique across the catalog"),
):
    register(Rule(_id, _E, _summary))
