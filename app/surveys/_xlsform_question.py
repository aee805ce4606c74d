"""Building one question from an XLSForm survey row (internal; see `app.surveys.xlsform`)."""

from __future__ import annotations

from typing import Any

from app.surveys._xlsform_logic import Unsupported, constraint_fields, flag

CHOICE_TYPES = {
    "select_one": "single_choice",
    "select_multiple": "multiple_choice",
    "rank": "ranking",
}


def build_question(conv, row: dict[str, str], number: int, base: str, args: list[str]) -> None:
    """Append the question of survey row `number` to the current page of converter `conv`."""
    name = row.get("name")
    key = conv.key(name, number)
    text = conv.text(row, "label", "survey", number)
    if text is None:
        conv.problem("survey", number, f"question '{name}' has no label")
    question: dict[str, Any] = {"key": key, "type": None, "text": text}
    hint = conv.text(row, "hint", "survey", number)
    if hint is not None:
        question["help"] = hint
    if row.get("required"):
        try:
            if flag(row["required"]):
                question["required"] = True
        except Unsupported as exc:
            conv.problem("survey", number, f"required '{row['required']}' is not supported: {exc}")
    if row.get("relevant"):
        conv.show_if(question, row["relevant"], number)
    appearance = row.get("appearance", "").lower().split()
    used: set[str] = set()
    or_other = args[-1:] == ["or_other"]
    if or_other:
        args = args[:-1]
    codes = None
    if base in CHOICE_TYPES:
        question["type"] = CHOICE_TYPES[base]
        if len(args) != 1:
            conv.problem("survey", number, f"type '{base}' needs exactly one choice list name")
        else:
            found = conv.options(args[0], number, name)
            if found is not None:
                question["options"], codes = found
        if base == "select_one":
            if "minimal" in appearance:
                question["display"] = "dropdown"
                used.add("minimal")
            if or_other:
                conv.problem(
                    "survey",
                    number,
                    "or_other on select_one is not supported (add an "
                    "'other' choice and a text question instead)",
                )
        elif or_other and base == "rank":
            conv.problem("survey", number, "or_other on rank is not supported")
        elif or_other:
            question["other"] = True
            if key is not None and not conv.claim(f"{key}_other"):
                conv.problem("survey", number, f"'{key}_other' is already a question name")
    elif base in ("integer", "decimal"):
        question["type"] = "number"
        if base == "decimal":
            question["integer"] = False
    elif base == "text":
        question["type"] = "long_text" if "multiline" in appearance else "short_text"
        used.add("multiline")
    else:
        question["type"] = base  # date
    for item in appearance:
        if item not in used:
            conv.warnings.append(f"survey row {number}: appearance '{item}' ignored")
    if row.get("constraint"):
        try:
            question.update(constraint_fields(row["constraint"], base))
        except Unsupported as exc:
            conv.problem("survey", number, f"constraint '{row['constraint']}' is not supported: {exc}")
    if name and key:
        conv.questions[name] = {"key": key, "type": base, "codes": codes, "name": name}
    conv.current_page()["questions"].append(question)
