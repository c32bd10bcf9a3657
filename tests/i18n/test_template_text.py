"""The rules the translation test applies to a template, on small templates whose answer is known."""

from __future__ import annotations

from django.template import Template

from tests.i18n.template_text import Message, messages_of, untranslated_text


def found(source: str) -> list[tuple[int, str, str]]:
    return [(item.line, item.where, item.text) for item in untranslated_text(source, "t.html")]


def test_text_outside_translation_tags_is_found_with_its_line() -> None:
    source = '{% load i18n %}\n<h1>{% translate "Plan" %}</h1>\n<p>\n  Your goals\n</p>'
    assert found(source) == [(4, "text", "Your goals")]


def test_translated_text_tags_punctuation_and_entities_pass() -> None:
    source = (
        '{% load i18n %}<p>{% translate "Goals" %}: {{ goal.title }} &middot; {{ count }} (3) — ◆</p>'
        "{% blocktranslate count n=items|length %}One item{% plural %}{{ n }} items{% endblocktranslate %}"
        "{# a note for developers #}{% comment %}Not shown{% endcomment %}"
        '<a href="{% url \'home\' %}" class="button quiet" id="go">{% translate "Home" %}</a>'
    )
    assert found(source) == []


def test_text_split_by_a_variable_is_still_found() -> None:
    assert found("<p>{{ count }} goals</p>") == [(1, "text", "goals")]


def test_human_attributes_count_and_technical_ones_do_not() -> None:
    source = (
        '<div class="table-wrap" role="region" aria-label="Goals table">'
        '<img src="x.png" alt="Chart"><input type="submit" value="Save"><input type="text" value="kept" '
        'placeholder="{% translate "Search" %}" title="{{ help }}"></div>'
    )
    assert {(where, text) for _, where, text in found(source)} == {
        ('attribute "aria-label"', "Goals table"),
        ('attribute "alt"', "Chart"),
        ('attribute "value"', "Save"),
    }


def test_a_conditional_attribute_is_read_through_the_tag_around_it() -> None:
    assert found('<input{% if bad %} aria-label="Wrong"{% endif %}>') == [
        (1, 'attribute "aria-label"', "Wrong")
    ]


def test_literals_printed_by_template_tags_count_where_they_land() -> None:
    source = (
        '<p>{{ goal.due|default:"No date" }}</p>\n<p>{% firstof a "no one" %}</p>\n'
        '{{ b|default:_("Kept") }}{{ c|default:"—" }}<li class="{{ tag|default:\'info\' }}">'
        '<span title="{{ hint|default:"Not yet" }}"></span>'
    )
    assert found(source) == [
        (1, "text", "No date"),
        (2, "text", "no one"),
        (3, 'attribute "title"', "Not yet"),
    ]


def test_format_names_chosen_by_a_literal_are_not_english() -> None:
    """`yesno:"DATE_FORMAT,DATETIME_FORMAT"` picks a date's shape for the `date` filter; a literal with words
    beside the format names still counts."""
    source = (
        '{% with shape=day_only|yesno:"DATE_FORMAT,DATETIME_FORMAT" %}'
        "<p>{{ when|date:shape }}</p>{% endwith %}"
    )
    assert found(source) == []
    assert found('<p>{{ day_only|yesno:"DATE_FORMAT,every day" }}</p>') == [
        (1, "text", "DATE_FORMAT,every day")
    ]


def test_code_samples_are_not_prose() -> None:
    assert found('<pre><code>curl -H "Authorization: Bearer wp_x" https://example.org/api</code></pre>') == []


def test_the_brand_name_needs_no_translation_and_script_is_not_prose() -> None:
    assert found("<title>{% block title %}{% endblock %} · Waypoint</title><script>let x = 1;</script>") == []


def test_messages_are_keyed_as_the_compiled_catalog_keys_them() -> None:
    template = Template(
        '{% load i18n %}{% translate "Save" %}{% translate "May" context "month" %}{% translate name %}'
        "{% blocktranslate with who=student.name %}Plan of {{ who }} at 100%{% endblocktranslate %}"
        "{% blocktranslate count n=k %}One goal{% plural %}{{ n }} goals{% endblocktranslate %}"
    )
    assert list(messages_of(template)) == [
        Message("Save"),
        Message("May", context="month"),
        Message("Plan of %(who)s at 100%%"),
        Message("One goal", plural="%(n)s goals"),
    ]
    assert Message("May", context="month").catalog_key == "month\x04May"
    assert Message("One goal", plural="%(n)s goals").catalog_key == ("One goal", 0)
