"""Field-level helpers shared by the questionnaire, findings and poll parsers (internal)."""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode

from app.surveys._yamlnodes import Reader, suggest
from app.surveys.common import FindingLink, Option
from app.surveys.findings import FindingsCatalogue

KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
KEY_HINT = "use lowercase letters a-z, digits and _, starting with a letter"
SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
SLUG_HINT = "use lowercase letters a-z, digits and -, not starting or ending with -"
FINDING_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
FINDING_ID_HINT = "use lowercase letters a-z, digits and -"


def peek(node: Node, name: str) -> str | None:
    """The plain-text value of field `name` of a mapping node, unchecked (for messages)."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if key.value == name and isinstance(value, ScalarNode) and value.tag.endswith(":str"):
                return value.value
    return None


def parse_finding_link(
    r: Reader, node: Node, where: str, catalogue: FindingsCatalogue | None
) -> FindingLink | None:
    """`test: <id>` or `test: {finding: <id>, reverse: true}`."""
    reverse = False
    if isinstance(node, MappingNode):
        f = r.mapping(node, f"{where}: 'test'", ("finding", "reverse"), ("finding",))
        if f is None or f.get("finding") is None:
            return None
        id_node = f.get("finding")
        if "reverse" in f:
            reverse = bool(r.boolean(f.get("reverse"), where, "test.reverse"))
    else:
        id_node = node
    finding = r.string(id_node, where, "test", FINDING_ID_RE, FINDING_ID_HINT)
    if finding is None:
        return None
    if catalogue is not None and finding not in catalogue:
        hint = suggest(finding, [f.id for f in catalogue])
        r.error(id_node, f"{where}: 'test' refers to unknown finding '{finding}'{hint}")
        return None
    return FindingLink(finding, reverse)


def parse_options(
    r: Reader,
    f_node: Node,
    where: str,
    catalogue: FindingsCatalogue | None,
    *,
    min_items: int,
    option_tests: bool = False,
    reserve_dont_know: bool = False,
) -> tuple[Option, ...] | None:
    """A list of `{code, label, test?}`; codes are unique whole numbers >= 1."""
    nodes = r.sequence(f_node, where, "options", min_items)
    if nodes is None:
        return None
    allowed = ("code", "label", "test") if option_tests else ("code", "label")
    misplaced = (
        None if option_tests else {"test": "'test' on an option is only allowed in multiple_choice questions"}
    )
    seen: dict[int, int] = {}
    options = []
    for i, node in enumerate(nodes):
        ow = f"{where}: option {i + 1}"
        of = r.mapping(node, ow, allowed, ("code", "label"), misplaced)
        if of is None:
            continue
        code = r.integer(of.get("code"), ow, "code") if "code" in of else None
        code_node = of.get("code")
        if code is not None:
            if code < 1:
                r.error(code_node, f"{where}: option code {code} is not allowed (codes start at 1)")
                code = None
            elif code in seen:
                r.error(code_node, f"{where}: duplicate option code {code} (first on line {seen[code]})")
                code = None
            elif reserve_dont_know and code == 9:
                r.error(
                    code_node,
                    f'{where}: option code 9 is reserved for "don\'t know" (dont_know: true)',
                )
                code = None
            else:
                seen[code] = code_node.start_mark.line + 1
        label = r.text(of.get("label"), ow, "label") if "label" in of else None
        test = None
        if option_tests and "test" in of:
            test = parse_finding_link(r, of.get("test"), ow, catalogue)
        if code is not None and label is not None:
            options.append(Option(code, label, test))
    return tuple(options)
