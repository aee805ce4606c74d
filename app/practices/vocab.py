"""The practice template drawn from the seed study, and the tag vocabularies.

Codes are stable (stored and used in public URLs); labels are translated. Channels are not frozen
to the three sites of 2014.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# (field, label, hint) in the order of the template.
TEXT_FIELDS = (
    (
        "context",
        _l("Context en doelgroep"),
        _l("Welke organisatie of dienst, welke doelgroep, welke aanleiding?"),
    ),
    ("goal", _l("Doel"), _l("Wat wilden jullie bereiken?")),
    ("channels_used", _l("Gebruikte kanalen"), _l("Welke sociale media of andere kanalen, en hoe?")),
    ("preparation", _l("Voorbereiding"), _l("Wat hebben jullie vooraf geregeld, met wie, hoeveel tijd?")),
    ("implementation", _l("Uitvoering"), _l("Hoe is het verlopen?")),
    ("evaluation", _l("Evaluatie"), _l("Hoe hebben jullie gemeten of het werkte? Meten is weten.")),
    ("worked", _l("Wat werkte"), None),
    ("did_not_work", _l("Wat werkte niet"), None),
    ("dos", _l("Do's"), _l("Tips voor wie dit ook wil doen.")),
    ("donts", _l("Don'ts"), _l("Wat zou je anderen afraden?")),
    (
        "privacy",
        _l("Privacy en deontologie"),
        _l("Anonimiteit van cliënten, toestemming voor foto's, beroepsgeheim, afspraken in de organisatie."),
    ),
)
TEXT_FIELD_NAMES = tuple(name for name, _label, _hint in TEXT_FIELDS)

CHANNELS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "x": "X (Twitter)",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "whatsapp": "WhatsApp",
    "messenger": "Messenger",
    "website": _l("Website of blog"),
    "newsletter": _l("Nieuwsbrief of e-mail"),
    "chat": _l("Chat op de eigen website"),
    "other": _l("Ander kanaal"),
}
TARGET_GROUPS = {
    "youth": _l("Jongeren"),
    "adults": _l("Volwassenen"),
    "elderly": _l("Ouderen"),
    "parents": _l("Ouders en gezinnen"),
    "clients": _l("Cliënten en hulpvragers"),
    "volunteers": _l("Vrijwilligers"),
    "professionals": _l("Professionals en partners"),
    "public": _l("Breed publiek"),
}
THEMES = {
    "care": _l("Hulpverlening"),
    "awareness": _l("Sensibilisering"),
    "professionalisation": _l("Professionalisering"),
    "recruitment": _l("Werving"),
    "community": _l("Community en lotgenotencontact"),
    "privacy": _l("Privacy en deontologie"),
    "crisis": _l("Crisiscommunicatie"),
    "measuring": _l("Meten en evalueren"),
    "policy": _l("Social media policy"),
}
TAG_KINDS = {
    "channel": (_l("Kanalen"), CHANNELS),
    "target_group": (_l("Doelgroepen"), TARGET_GROUPS),
    "theme": (_l("Thema's"), THEMES),
}


def tag_label(kind: str, code: str) -> str:
    return str(TAG_KINDS.get(kind, ("", {}))[1].get(code, code))
