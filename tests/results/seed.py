# ruff: noqa: E501 - YAML test data reads better unwrapped
"""A small survey with a known set of answers, shared by the results and exports tests."""

from __future__ import annotations

from app.extensions import db
from app.surveys.definitions import FindingsCatalogue
from app.surveys.loader import load_definition_text, load_findings_text
from app.surveys.responses import submit
from app.surveys.versions import sync_definition

FINDINGS = """\
findings:
  - id: f-fb
    section: "2.1.1"
    statement: {nl: "De organisatie zit op Facebook.", en: "The organisation is on Facebook."}
    interview: {count: 15, of: 15}
  - id: f-tevreden
    section: "2.2"
    statement: {nl: "Tevreden over sociale media.", en: "Satisfied with social media."}
    interview: {count: 7, of: 15}
  - id: f-omgekeerd
    section: "2.3"
    statement: {nl: "Sociale media kosten geen tijd.", en: "Social media take no time."}
  - id: f-keuze
    section: "2.4"
    statement: {nl: "Een eigen account.", en: "An account of its own."}
    interview: {count: 3, of: 15}
"""

SURVEY = """\
slug: {slug}
title: {{nl: Testbevraging, en: Test survey}}
intro: {{nl: Inleiding, en: Introduction}}
purpose: {{nl: Doel, en: Purpose}}
organiser: {{nl: Wij, en: Us}}
anonymity: {anonymity}
pages:
  - key: profiel
    title: {{nl: Profiel, en: Profile}}
    questions:
      - key: soort_dienst
        type: single_choice
        required: true
        text: {{nl: Soort dienst, en: Type of service}}
        options:
          - {{code: 1, label: {{nl: CAW, en: CAW}}}}
          - {{code: 2, label: {{nl: OCMW, en: OCMW}}}}
          - {{code: 3, label: {{nl: CLB, en: CLB}}}}
      - key: regio
        type: single_choice
        text: {{nl: Regio, en: Region}}
        options:
          - {{code: 1, label: {{nl: Antwerpen, en: Antwerp}}}}
          - {{code: 2, label: {{nl: Limburg, en: Limburg}}}}
      - key: kanalen
        type: multiple_choice
        text: {{nl: Kanalen, en: Channels}}
        options:
          - {{code: 1, label: {{nl: Facebook, en: Facebook}}, test: f-fb}}
          - {{code: 2, label: {{nl: Instagram, en: Instagram}}}}
          - {{code: 3, label: {{nl: TikTok, en: TikTok}}}}
  - key: mening
    title: {{nl: Mening, en: Opinion}}
    questions:
      - key: tevreden
        type: likert
        dont_know: true
        text: {{nl: Tevreden, en: Satisfied}}
        test: f-tevreden
      - key: stelling
        type: matrix
        text: {{nl: Stellingen, en: Statements}}
        rows:
          - {{key: tijd, text: {{nl: Kost tijd, en: Takes time}}, test: {{finding: f-omgekeerd, reverse: true}}}}
      - key: eigen
        type: single_choice
        text: {{nl: Eigen account, en: Own account}}
        test: f-keuze
        supports: [1]
        options:
          - {{code: 1, label: {{nl: ja, en: "yes"}}}}
          - {{code: 2, label: {{nl: nee, en: "no"}}}}
      - key: aantal
        type: number
        text: {{nl: Aantal medewerkers, en: Number of staff}}
        min: 0
        max: 1000
      - key: opmerking
        type: long_text
        show_if: {{question: tevreden, gte: 1}}
        text: {{nl: Opmerking, en: Remark}}
      - key: volgorde
        type: ranking
        text: {{nl: Volgorde, en: Order}}
        options:
          - {{code: 1, label: {{nl: Eerst, en: First}}}}
          - {{code: 2, label: {{nl: Tweede, en: Second}}}}
"""

INJECTION = '=HYPERLINK("http://example.invalid","x")'


def catalogue() -> FindingsCatalogue:
    return load_findings_text(FINDINGS, "surveys/findings.yaml")


def definition(slug: str = "testbevraging", anonymity: str = "pseudonymous"):
    return load_definition_text(
        SURVEY.format(slug=slug, anonymity=anonymity), f"surveys/{slug}.yaml", catalogue()
    )


def answers_for(i: int) -> dict:
    """Answers of response i (0-based) of the 40 seeded responses: known counts.

    soort_dienst: 20 x 1, 16 x 2, 4 x 3 · regio: 1 for even i, 2 for odd · kanalen: 1 for i < 30,
    2 for i % 3 == 0 · tevreden: i % 5 + 1 (8 of each), 9 for the last two · stelling_tijd: 4 when
    i < 10 else 2 · eigen: 1 when i < 12 else 2 · aantal: i · opmerking for i < 3 (i == 0 is a
    formula) · volgorde [1, 2] for even, [2, 1] for odd.
    """
    service = 1 if i < 20 else 2 if i < 36 else 3
    answers = {
        "soort_dienst": service,
        "regio": 1 if i % 2 == 0 else 2,
        "kanalen": [c for c in (1, 2) if (c == 1 and i < 30) or (c == 2 and i % 3 == 0)],
        "tevreden": 9 if i >= 38 else i % 5 + 1,
        "stelling_tijd": 4 if i < 10 else 2,
        "eigen": 1 if i < 12 else 2,
        "aantal": i,
        "volgorde": [1, 2] if i % 2 == 0 else [2, 1],
    }
    if i < 3:
        answers["opmerking"] = INJECTION if i == 0 else f"Opmerking {i}"
    if not answers["kanalen"]:
        del answers["kanalen"]
    return answers


def seed(
    n: int = 40,
    slug: str = "testbevraging",
    anonymity: str = "pseudonymous",
    organisation_ids=(),
    public: bool = False,
):
    """Sync the test survey and submit n responses with `answers_for(i)`; commits. Returns the version."""
    version, _ = sync_definition(definition(slug, anonymity))
    version.survey.results_public = public
    ids = list(organisation_ids)
    for i in range(n):
        submit(version, answers_for(i), organisation_id=ids[i % len(ids)] if ids else None)
    db.session.commit()
    return version
