"""The renderer's shortcuts give what the plain way gives, byte for byte and object for object."""

from __future__ import annotations

import random
import re

import jinja2.runtime
import markupsafe
import pytest
from jinja2 import DictLoader, Environment, StrictUndefined, UndefinedError
from markupsafe import Markup

from credpress.site import render
from credpress.site.render import strip_indentation


def _regex_strip(html: str) -> str:
    """strip_indentation as it was: one MULTILINE regex."""
    if "<pre" in html or "<textarea" in html:
        return html
    return re.sub(r"(?m)^[ \t]+", "", html)


@pytest.mark.parametrize(
    "html",
    [
        "",
        " ",
        "\n",
        "  \t<a>\n",
        "<div>\n    <p>a\n\t  b</p>\n</div>\n",
        "\n\n  \n\t\n x",
        "a\r\n  b\r  c\n\r  d",  # only "\n" starts a line for the regex
        "a\n\u00a0 b\n\u2003c\n\x0b d\n\x0c e",  # other white space is kept
        "x  \n  y  ",
        "<pre>\n  kept</pre>",
        "  <textarea>\n  z</textarea>",
    ],
)
def test_strip_indentation_is_the_regex(html):
    assert strip_indentation(html) == _regex_strip(html)


def test_strip_indentation_is_the_regex_on_random_text():
    rng = random.Random(7)
    alphabet = [" ", " ", "\t", "\n", "\n", "\r", "\x0b", "\u00a0", "a", "<", "p", "é"]
    for _ in range(3000):
        html = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert strip_indentation(html) == _regex_strip(html), repr(html)


def test_dict_attribute_names_are_all_a_dict_has():
    names = set(render._DICT_ATTRIBUTES)
    candidates = names | {"name", "href", "url", "get_", "item", "key", "__dict__", "__weakref__", "__name__", "mro"}
    for name in candidates:
        assert hasattr({}, name) == (name in names), name


class _Sub(dict):
    extra = "class attribute"


class _Obj:
    name = "object attribute"

    def __getitem__(self, key):
        return f"item {key}"


@pytest.mark.parametrize(
    ("obj", "attribute"),
    [
        ({"name": "a"}, "name"),
        ({"items": "shadowed"}, "items"),  # the dict's method, as in Jinja2
        ({"keys": 1, "get": 2}, "get"),
        ({"__class__": "x"}, "__class__"),
        ({}, "missing"),
        ({"name": None}, "name"),
        (_Sub(name="a", extra="key"), "extra"),  # a subclass: Jinja2's own lookup
        (_Sub(), "missing"),
        (_Obj(), "name"),
        (_Obj(), "other"),
    ],
)
def test_getattr_is_jinja2s(obj, attribute):
    ours = render.environment().getattr(obj, attribute)
    theirs = Environment(undefined=StrictUndefined).getattr(obj, attribute)
    assert type(ours) is type(theirs)
    if isinstance(theirs, StrictUndefined):
        with pytest.raises(UndefinedError) as raised:
            str(ours)
        with pytest.raises(UndefinedError) as expected:
            str(theirs)
        assert str(raised.value) == str(expected.value)
    else:
        assert ours == theirs  # the same value (a bound method is made anew at each lookup)


def test_templates_render_as_with_jinja2s_environment():
    source = (
        "{{ d.name }}|{{ d.items is callable }}|{{ d.nested.x }}|{{ d.missing is defined }}|"
        "{{ s.extra }}|{{ d.get('name') }}|{% for k in d.keys() %}{{ k }},{% endfor %}|{{ d }}"
    )
    values = {"d": {"name": "<b>", "items": 3, "nested": {"x": 1}}, "s": _Sub(extra="key")}
    ours = render.environment()
    ours.loader = DictLoader({"t.html": source})
    plain = Environment(loader=DictLoader({"t.html": source}), autoescape=True, undefined=StrictUndefined)
    assert ours.get_template("t.html").render(**values) == plain.get_template("t.html").render(**values)
    with pytest.raises(UndefinedError, match="has no attribute 'missing'"):
        ours.from_string("{{ d.missing }}").render(**values)


class _Html:
    def __html__(self):
        return "<i>safe</i>"


class _Text(str):
    pass


@pytest.mark.parametrize(
    "value",
    ["", "plain", "<a href=\"x\">'&'</a>", "é\u2028<", Markup("<b>kept</b>"), _Text("<sub>"), _Html(), 3, 2.5, None],
)
def test_escape_is_markupsafes(value):
    ours, theirs = render._escape(value), markupsafe.escape(value)
    assert type(ours) is type(theirs) is Markup
    assert ours == theirs


def test_templates_escape_with_the_fast_escape():
    env = render.environment()
    for name in ("credential.html", "macros.html", "og.html"):
        assert env.get_template(name).root_render_func.__globals__["escape"] is render._escape
    # The name Jinja2's compiled templates would use otherwise: markupsafe's.
    assert jinja2.runtime.escape is markupsafe.escape


@pytest.mark.parametrize(
    "fields",
    [
        dict(
            name="Data & Ethics",
            organization_id=None,
            organization_name="Acme Ü",
            issued_year=2026,
            issued_month=1,
            cert_url="https://e.org/c/1/?a=b c",
            cert_id="1",
        ),
        dict(
            name="x+y=z/é",
            organization_id=12345,
            organization_name="",
            issued_year=999,
            issued_month=12,
            cert_url="",
            cert_id="id",
            expires_year=2030,
            expires_month=2,
        ),
        dict(
            name="",
            organization_id="",
            organization_name="O",
            issued_year=2026,
            issued_month=3,
            cert_url="u",
            cert_id="c",
            expires_year=2027,
            expires_month=None,
        ),
    ],
)
def test_linkedin_url_is_urlencodes(fields):
    from urllib.parse import urlencode

    url = render.linkedin_url(**fields)
    params = [("startTask", "CERTIFICATION_NAME"), ("name", fields["name"])]
    if fields["organization_id"]:
        params.append(("organizationId", fields["organization_id"]))
    else:
        params.append(("organizationName", fields["organization_name"]))
    params += [("issueYear", str(fields["issued_year"])), ("issueMonth", str(fields["issued_month"]))]
    if fields.get("expires_year") and fields.get("expires_month"):
        params += [("expirationYear", str(fields["expires_year"])), ("expirationMonth", str(fields["expires_month"]))]
    params += [("certUrl", fields["cert_url"]), ("certId", fields["cert_id"])]
    assert url == "https://www.linkedin.com/profile/add?" + urlencode(params, quote_via=render._quote_plus)


def test_day_label_is_strftimes():
    from datetime import date, datetime, timedelta, timezone

    from credpress import dates

    moments = [
        date(2026, 1, 5),
        datetime(2026, 1, 5),
        datetime(2026, 1, 5, 23, 59, tzinfo=timezone(timedelta(hours=-5))),
    ]
    moments += [date(1, 1, 1), date(999, 12, 31), date(9999, 12, 31), datetime(2024, 2, 29, 12, tzinfo=timezone.utc)]
    moments += [date(2025, 1, 1) + timedelta(days=n) for n in range(0, 400, 7)]
    for moment in moments * 2:  # the second time remembered
        assert dates.day_label(moment) == moment.strftime("%-d %B %Y")
    assert dates.day_label(None) is None


def test_day_label_follows_the_locale(monkeypatch):
    from datetime import date

    from credpress import dates

    moment = date(2026, 3, 14)
    assert dates.day_label(moment) == "14 March 2026"
    # Another locale's names would be another label: the remembered one is not given for it.
    monkeypatch.setattr(dates, "setlocale", lambda category: "elsewhere")
    monkeypatch.setattr(dates, "DAY_LABEL", "%d.%m.%Y")
    assert dates.day_label(moment) == "14.03.2026"
