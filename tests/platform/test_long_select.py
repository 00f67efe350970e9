"""LongSelect (caseflow/web.py) writes exactly the HTML of WTForms' own select widget, only faster."""
from __future__ import annotations

import pytest
from wtforms import Form, SelectChoice, SelectField
from wtforms.validators import InputRequired
from wtforms.widgets import Select

from caseflow.web import LongSelect

CHOICES = [SelectChoice("", "all"), SelectChoice("1", 'Deutsch "B1" <Nord> & Süd'), SelectChoice("2", ""),
           SelectChoice("x'y", "x'y"), SelectChoice(True, "yes"), SelectChoice(3, "drei"),  # type: ignore[arg-type]
           SelectChoice("4", "mit Attribut", {"disabled": True, "data_info": "a b"})]


# plain options only (as vocabulary.options() makes them): written in LongSelect's own loop
PLAIN_CHOICES = CHOICES[:-1]


class _Form(Form):
    plain = SelectField("Plain", choices=CHOICES, validate_choice=False, widget=Select())
    fast = SelectField("Fast", choices=CHOICES, validate_choice=False, widget=LongSelect())


class _PlainForm(Form):
    plain = SelectField("Plain", choices=PLAIN_CHOICES, validate_choice=False, widget=Select())
    fast = SelectField("Fast", choices=PLAIN_CHOICES, validate_choice=False, widget=LongSelect())


class _RequiredForm(Form):
    plain = SelectField("Plain", choices=PLAIN_CHOICES, validators=[InputRequired()], widget=Select())
    fast = SelectField("Fast", choices=PLAIN_CHOICES, validators=[InputRequired()], widget=LongSelect())


@pytest.mark.parametrize("form_class", [_Form, _PlainForm, _RequiredForm])
@pytest.mark.parametrize("selected", [None, "", "1", "x'y", "True", "3", "4"])
def test_long_select_renders_what_the_select_widget_renders(selected, form_class):
    form = form_class(data={"plain": selected, "fast": selected})
    for attributes in ({}, {"aria_describedby": "f-hint", "class_": "wide"}):
        plain = form.plain(**attributes).replace('name="plain"', "").replace('id="plain"', "")
        fast = form.fast(**attributes).replace('name="fast"', "").replace('id="fast"', "")
        assert fast == plain
    assert "selected" in str(form.fast()) or selected is None or (form_class is not _Form and selected == "4")
