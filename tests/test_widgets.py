from django import forms

from common.widgets import FastSelect

CHOICES = [("", "Any class"), (1, "Cloud <Basics> & more"), (2, "Safety")]


class ClassForm(forms.Form):
    course_class = forms.ChoiceField(choices=CHOICES, widget=FastSelect, required=False)


def test_fast_select_marks_the_chosen_option_and_escapes_labels():
    html = str(ClassForm(data={"course_class": "2"})["course_class"])

    assert html.startswith('<select id="id_course_class" name="course_class">')
    assert '<option value="2" selected>Safety</option>' in html
    assert '<option value="1">Cloud &lt;Basics&gt; &amp; more</option>' in html
    assert html.count("selected") == 1


def test_fast_select_without_a_value_selects_nothing():
    html = str(ClassForm()["course_class"])

    assert "selected" not in html
    assert '<option value="">Any class</option>' in html


def test_fast_select_submits_like_a_select():
    form = ClassForm(data={"course_class": "1"})

    assert form.is_valid()
    assert form.cleaned_data["course_class"] == "1"


def test_a_date_is_shown_in_the_portals_format_however_it_was_typed():
    from datetime import date

    from common.widgets import PortalDateInput

    widget = PortalDateInput()
    assert widget.format_value(date(2026, 3, 2)) == "2 Mar 2026"
    assert widget.format_value("2026-03-02") == "2 Mar 2026"
    assert widget.format_value("02/03/2026") == "2 Mar 2026"
    assert widget.format_value("2 March 2026") == "2 Mar 2026"
    assert widget.format_value("next tuesday") == "next tuesday"
