"""Practice forms: the template fields come from vocab.TEXT_FIELDS, tags from vocab.TAG_KINDS."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import InputRequired, Length

from app.core.forms import BaseForm
from app.practices.vocab import TAG_KINDS, TEXT_FIELDS


class PracticeForm(BaseForm):
    title = StringField(_l("Titel"), validators=[InputRequired(), Length(max=200)])
    organisations = StringField(_l("Organisatie(s)"), validators=[Length(max=500)])
    show_organisations = BooleanField(_l("De namen van de organisaties mogen op de publieke pagina staan"))

    def fields_dict(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}

    def tags_dict(self) -> dict[str, list[str]]:
        return {kind: self[f"tags_{kind}"].data or [] for kind in TAG_KINDS}

    def fill_tags(self, practice) -> None:
        for kind in TAG_KINDS:
            self[f"tags_{kind}"].data = practice.tag_codes(kind)


for _name, _label, _hint in TEXT_FIELDS:
    setattr(
        PracticeForm, _name, TextAreaField(_label, description=_hint or "", validators=[Length(max=20000)])
    )
for _kind, (_label, _vocabulary) in TAG_KINDS.items():
    setattr(
        PracticeForm,
        f"tags_{_kind}",
        SelectMultipleField(
            _label,
            choices=list(_vocabulary.items()),
            widget=widgets.ListWidget(prefix_label=False),
            option_widget=widgets.CheckboxInput(),
        ),
    )


class AuthorForm(BaseForm):
    user_id = SelectField(_l("Co-auteur toevoegen"), coerce=int, validators=[InputRequired()])


class SendBackForm(BaseForm):
    remark = TextAreaField(_l("Opmerking voor de auteurs"), validators=[InputRequired(), Length(max=5000)])


class CommentForm(BaseForm):
    body = TextAreaField(_l("Je reactie"), validators=[InputRequired(), Length(max=10000)])
