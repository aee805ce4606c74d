"""Variables of a survey over all its versions, merged by name (results and exports share this)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.surveys.common import Option

CHOICE = frozenset({"single_choice", "likert"})
TEXT = frozenset({"short_text", "long_text"})

# Profile questions that results can be filtered by, found by key in every survey. A survey may
# name others here: {slug: {filter key: variable name}} (keep it small: these are organisation
# characteristics respondents recognise).
DEFAULT_PROFILE = {
    "soort_dienst": "soort_dienst",
    "regio": "regio",
    "grootte": "grootte",
    "kanalen": "kanalen",
}
PROFILE_FILTERS: dict[str, dict[str, str]] = {}
# The variable that findings and benchmarks are broken down by ("by type of service").
SERVICE_TYPE_VARIABLE = "soort_dienst"


@dataclass
class MergedVariable:
    """A variable as found in the newest version that has it, with the versions it appears in."""

    name: str
    variable: object  # app.surveys.definitions.Variable
    versions: list[int] = field(default_factory=list)
    options: tuple[Option, ...] = ()

    @property
    def type(self) -> str:
        return self.variable.type

    @property
    def question(self):
        return self.variable.question

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE

    @property
    def is_closed(self) -> bool:
        """Answered by codes: can be counted and cross-tabulated."""
        return self.type in CHOICE or self.type == "multiple_choice"

    @property
    def dont_know(self) -> bool:
        return any(o.code == 9 for o in self.options) and self.type == "likert"

    def label(self, code: int, locale: str | None = None) -> str:
        for option in self.options:
            if option.code == code:
                return option.label.get(locale)
        return str(code)

    def text(self, locale: str | None = None) -> str:
        """The question text, with the matrix row's text after it for a matrix row."""
        if self.variable.row is not None:
            return f"{self.question.text.get(locale)} — {self.variable.row.text.get(locale)}"
        return self.variable.text.get(locale)


def merged_variables(survey) -> list[MergedVariable]:
    """All variables of all versions of `survey`, in the order of the newest version that has them.

    Options are the union over versions by code (the newest label wins), so a code dropped in a
    later version still has its label for older responses.
    """
    merged: dict[str, MergedVariable] = {}
    order: list[str] = []
    for version in reversed(survey.versions):
        for var in version.definition.variables():
            entry = merged.get(var.name)
            if entry is None:
                entry = merged[var.name] = MergedVariable(var.name, var, options=tuple(var.options))
                order.append(var.name)
            else:
                known = {o.code for o in entry.options}
                entry.options += tuple(o for o in var.options if o.code not in known)
            entry.versions.insert(0, version.number)
    return [merged[name] for name in order]


def profile_filters(survey, variables: list[MergedVariable] | None = None) -> dict[str, MergedVariable]:
    """Filter key -> variable: the survey's profile questions that exist and are closed."""
    variables = variables if variables is not None else merged_variables(survey)
    by_name = {v.name: v for v in variables}
    mapping = PROFILE_FILTERS.get(survey.slug, DEFAULT_PROFILE)
    return {
        key: by_name[name] for key, name in mapping.items() if name in by_name and by_name[name].is_closed
    }
