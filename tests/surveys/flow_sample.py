"""A questionnaire with every question type and conditions, for the respondent-flow tests."""

FLOW_SURVEY = """\
slug: flow-test
title: {nl: "Testbevraging", en: "Test survey"}
intro: {nl: "Een korte test.\\n\\nTweede alinea.", en: "A short test.\\n\\nSecond paragraph."}
purpose: {nl: "Testen", en: "Testing"}
organiser: {nl: "Het testteam", en: "The test team"}
anonymity: ANONYMITY
pages:
  - key: profiel
    title: {nl: "Profiel", en: "Profile"}
    questions:
      - key: soort
        type: single_choice
        required: true
        text: {nl: "Soort dienst?", en: "Type of service?"}
        options:
          - {code: 1, label: {nl: "CAW", en: "CAW"}}
          - {code: 2, label: {nl: "OCMW", en: "OCMW"}}
          - {code: 3, label: {nl: "Andere", en: "Other"}}
      - key: soort_anders
        type: short_text
        max_length: 20
        show_if: {question: soort, equals: 3}
        text: {nl: "Welke andere dienst?", en: "Which other service?"}
      - key: regio
        type: single_choice
        display: dropdown
        text: {nl: "Regio?", en: "Region?"}
        help: {nl: "De hoofdzetel.", en: "The main office."}
        options:
          - {code: 1, label: {nl: "Antwerpen", en: "Antwerp"}}
          - {code: 2, label: {nl: "Limburg", en: "Limburg"}}
      - key: kanalen
        type: multiple_choice
        other: true
        max_choices: 3
        text: {nl: "Welke kanalen?", en: "Which channels?"}
        options:
          - {code: 1, label: {nl: "Facebook", en: "Facebook"}}
          - {code: 2, label: {nl: "Instagram", en: "Instagram"}}
          - {code: 3, label: {nl: "TikTok", en: "TikTok"}}
  - key: facebook
    title: {nl: "Facebook", en: "Facebook"}
    show_if: {question: kanalen, contains: 1}
    questions:
      - key: fb_tevreden
        type: likert
        dont_know: true
        required: true
        text: {nl: "Facebook werkt goed voor ons.", en: "Facebook works well for us."}
      - key: fb_stellingen
        type: matrix
        dont_know: true
        required: true
        text: {nl: "Stellingen over Facebook", en: "Statements about Facebook"}
        rows:
          - {key: tijd, text: {nl: "Het kost veel tijd.", en: "It takes a lot of time."}}
          - {key: bereik, text: {nl: "We bereiken onze doelgroep.", en: "We reach our target group."}}
  - key: cijfers
    title: {nl: "Cijfers", en: "Figures"}
    questions:
      - key: medewerkers
        type: number
        required: true
        min: 0
        max: 500
        unit: {nl: "personen", en: "people"}
        text: {nl: "Hoeveel medewerkers?", en: "How many staff?"}
      - key: uren
        type: number
        integer: false
        min: 0
        max: 40
        text: {nl: "Uren per week voor sociale media?", en: "Hours per week on social media?"}
      - key: gestart
        type: date
        min: 2000-01-01
        max: 2030-12-31
        text: {nl: "Sinds wanneer?", en: "Since when?"}
  - key: slot
    title: {nl: "Tot slot", en: "Finally"}
    questions:
      - key: volgorde
        type: ranking
        text: {nl: "Rangschik de doelen.", en: "Rank the goals."}
        options:
          - {code: 1, label: {nl: "Informeren", en: "Inform"}}
          - {code: 2, label: {nl: "Hulp bieden", en: "Help"}}
          - {code: 3, label: {nl: "Werven", en: "Recruit"}}
      - key: opmerking
        type: long_text
        max_length: 50
        text: {nl: "Nog iets?", en: "Anything else?"}
"""


def flow_survey_text(anonymity: str = "anonymous") -> str:
    return FLOW_SURVEY.replace("ANONYMITY", anonymity)


PROFILE = {"q-soort": "1", "q-regio": "2", "q-kanalen": ["1", "2"]}
FACEBOOK = {"q-fb_tevreden": "4", "q-fb_stellingen_tijd": "5", "q-fb_stellingen_bereik": "9"}
FIGURES = {"q-medewerkers": "12", "q-uren": "2,5", "q-gestart": "2015-03-15"}
END = {"q-volgorde-1": "2", "q-volgorde-2": "1", "q-volgorde-3": "3", "q-opmerking": "Tot ziens"}


def complete(walk, profile=None):
    """Answer every page (the facebook one only when it is shown); returns the last response."""
    walk.start()
    response = walk.page("profiel", profile or PROFILE)
    if "pagina=facebook" in response.location:
        response = walk.page("facebook", FACEBOOK)
    assert "pagina=cijfers" in response.location
    response = walk.page("cijfers", FIGURES)
    response = walk.page("slot", END)
    assert "stap=overzicht" in response.location
    return response
