"""The summary's rows, written in Python (`summary_html`), are the HTML the template loop wrote."""

import pytest
from flow_sample import flow_survey_text

from app.surveys.loader import load_definition_text
from app.surveys.summary import summarise, summary_html

# The loop summary.html had, kept here as the reference.
REFERENCE = """\
{% for sp in summary %}{% set page_url = page_url_of(sp.page.key) %}
<section class="summary-page" aria-labelledby="summary-{{ sp.page.key }}">
  <h2 id="summary-{{ sp.page.key }}">{{ sp.title }}</h2>
  <dl class="summary-list">
    {% for item in sp.items %}
    <div class="summary-row">
      <dt>{{ item.label }}</dt>
      <dd>{% if not item.values %}<span class="muted">{{ unanswered }}</span>
        {% elif item.ordered %}<ol>{% for v in item.values %}<li>{{ v }}</li>{% endfor %}</ol>
        {% elif item.values|length > 1 %}<ul>{% for v in item.values %}<li>{{ v }}</li>{% endfor %}</ul>
        {% else %}<span class="answer-text">{{ item.values[0] }}</span>{% endif %}</dd>
      <dd class="change"><a href="{{ page_url }}#question-{{ item.question.key }}">{{ change }}\
<span class="visually-hidden"> — {{ item.label }}</span></a></dd>
    </div>
    {% endfor %}
  </dl>
</section>
{% endfor %}"""

ANSWERS = [
    {},  # nothing answered
    {
        "soort": 3,
        "soort_anders": "<b>Buurtwerk</b> & co",
        "regio": 2,
        "kanalen": [1, 2],
        "fb_tevreden": 4,
        "fb_stellingen_tijd": 5,
        "fb_stellingen_bereik": 9,
        "medewerkers": 12,
        "uren": 2.5,
        "gestart": "2015-03-15",
        "volgorde": [2, 1, 3],
        "opmerking": 'Tot "ziens"\n<script>alert(1)</script>',
    },
    {"soort": 1, "kanalen": [2], "uren": 3.0, "opmerking": ""},
]


def normalised(html: str) -> str:
    """Without the indentation and line breaks a template loop leaves (the same HTML)."""
    return "".join(line.strip() for line in html.splitlines())


@pytest.mark.parametrize("answers", ANSWERS)
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_rows_are_the_templates_rows(app, answers, locale):
    definition = load_definition_text(flow_survey_text("anonymous"), "surveys/test.yaml", require_en=False)
    summary = summarise(definition, answers, locale)
    page_url = lambda key: f"/u/t?pagina={key}&x=<y>"  # noqa: E731 - escaped like any other text
    reference = app.jinja_env.from_string(REFERENCE).render(
        summary=summary, page_url_of=page_url, unanswered="niet <beantwoord>", change="wijzig"
    )
    written = str(summary_html(summary, page_url, "niet <beantwoord>", "wijzig"))
    assert normalised(written) == normalised(reference)
    assert written.count('<div class="summary-row">') >= 5
    assert "<script>" not in written
    assert ("niet &lt;beantwoord&gt;" in written) == (answers != ANSWERS[1])  # escaped labels too
