"""Stage 6, render: HTML pages from Jinja2 templates.

Templates are looked up in the provider's ``site_templates/`` first, then in the
built-in ``credpress/templates``; a template can extend the built-in one it
overrides with the ``default/`` prefix. Autoescape is on and undefined variables
are errors. Markdown from YAML is rendered, then cleaned by a real sanitizer
(nh3/ammonia), so raw HTML typed into content never reaches a page.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, MutableMapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import markdown as _markdown
import markupsafe
import nh3
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    meta,
)
from markupsafe import Markup
from markupsafe import escape as _markupsafe_escape

from .layout import relative

_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


class _RawHtmlAsText(_markdown.Extension):
    """Raw HTML in Markdown is plain text, escaped by Markdown like any other text.

    (Escaping ``<`` before Markdown instead would double-escape it in code spans
    and blocks: `` `a<b` `` showed as ``a&lt;b``.)
    """

    def extendMarkdown(self, md: _markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


# Link text may nest brackets ("[a [b] c](url)"); deeper than this is not a link.
MAX_LINK_BRACKET_DEPTH = 32


def _bounded_link_text(self: Any, data: str, index: int) -> tuple[str, int, bool]:
    """Python-Markdown's ``LinkInlineProcessor.getText``, giving up past the depth limit.

    The original scans to the end of the text for the ``]`` that closes each ``[``,
    so a run of n unclosed ``[`` costs n²/2 steps (5,000 of them: seconds). With
    the depth bounded, a position is scanned only from the innermost
    MAX_LINK_BRACKET_DEPTH open brackets: linear time. Text that nests less
    renders exactly as before; deeper brackets stay literal text.
    """
    depth = 1
    end = index
    for end in range(index, len(data)):
        c = data[end]
        if c == "]":
            depth -= 1
            if depth == 0:
                return data[index:end], end + 1, True
        elif c == "[":
            depth += 1
            if depth > MAX_LINK_BRACKET_DEPTH:
                break
    return data[index:end], end + 1, False


class _BoundedLinkText(_markdown.Extension):
    """Links, images and references with :func:`_bounded_link_text`."""

    def extendMarkdown(self, md: _markdown.Markdown) -> None:
        for processor in md.inlinePatterns:
            if isinstance(processor, _markdown.inlinepatterns.LinkInlineProcessor):
                processor.getText = types.MethodType(_bounded_link_text, processor)


@lru_cache(maxsize=2048)
def markdown_html(text: str | None) -> Markup:
    """Markdown → HTML, sanitized: only harmless tags, only http(s)/mailto links."""
    if not text:
        return Markup("")
    # Markdown treats raw HTML as text (so it shows as text), then the sanitizer
    # cleans what Markdown made.
    html = _markdown.markdown(
        text, extensions=["sane_lists", _RawHtmlAsText(), _BoundedLinkText()], output_format="html"
    )
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


def json_for_script(data: Any) -> Markup:
    """JSON safe to embed inside a <script> element (no ``</script>`` breakout).

    *data* is a value, or JSON text already encoded (the credential file's own
    bytes, so the page embeds exactly what a learner downloads).
    """
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def linkedin_url(
    name: str,
    organization_id: str | None,
    organization_name: str,
    issued_year: int,
    issued_month: int,
    cert_url: str,
    cert_id: str,
    expires_year: int | None = None,
    expires_month: int | None = None,
) -> str:
    """LinkedIn "Add to profile" link (no standard; see docs/standards.md). Never carries the learner's name."""
    params: list[tuple[str, str]] = [("startTask", "CERTIFICATION_NAME"), ("name", name)]
    if organization_id:
        params.append(("organizationId", organization_id))
    else:
        params.append(("organizationName", organization_name))
    params += [("issueYear", str(issued_year)), ("issueMonth", str(issued_month))]
    if expires_year and expires_month:
        params += [("expirationYear", str(expires_year)), ("expirationMonth", str(expires_month))]
    params += [("certUrl", cert_url), ("certId", cert_id)]
    # urlencode(params, quote_via=_quote_plus), without its checks of each name and value.
    query = "&".join(
        [_quote_plus(str(k), "", None, None) + "=" + _quote_plus(str(v), "", None, None) for k, v in params]
    )
    return "https://www.linkedin.com/profile/add?" + query


@lru_cache(maxsize=4096)
def _quote_plus(value: str, safe: str = "", encoding: str | None = None, errors: str | None = None) -> str:
    """urllib's quote_plus, remembered: most values (names, years) repeat on every badge page."""
    return quote_plus(value, safe, encoding, errors)


# Every name an attribute of a dict has (methods, and object's dunders): no other name is one.
_DICT_ATTRIBUTES = frozenset(dir({}))


# markupsafe 3's escape of a str, as a str (another markupsafe: templates keep its escape).
_ESCAPE_INNER: Callable[[str], str] | None = getattr(markupsafe, "_escape_inner", None)


def _escape(value: Any, _new: Any = str.__new__, _markup: type[Markup] = Markup) -> Markup:
    """markupsafe's ``escape``, a little faster for a plain string: the same Markup.

    For a ``str`` it returns ``Markup(_escape_inner(value))``, and ``Markup(text)`` of a plain
    string is ``str.__new__(Markup, text)``; anything else goes to markupsafe.
    """
    if type(value) is str:
        return _new(_markup, _ESCAPE_INNER(value))  # type: ignore[misc]
    return _markupsafe_escape(value)


class _Template(Template):
    """A template whose ``{{ value }}`` escapes with :func:`_escape`.

    Compiled templates call the ``escape`` of their module (Jinja2 imports markupsafe's);
    every function of a template (root, blocks, macros) has that module as its globals.
    """

    @classmethod
    def _from_namespace(
        cls, environment: Environment, namespace: MutableMapping[str, Any], globals: MutableMapping[str, Any]
    ) -> Template:
        if _ESCAPE_INNER is not None:
            namespace["escape"] = _escape
        return super()._from_namespace(environment, namespace, globals)


class _Environment(Environment):
    """Jinja2's environment, with ``x.y`` on a plain dict looked up without an exception.

    Jinja2 tries ``getattr(x, "y")`` first and falls back to ``x["y"]``; for an exact
    ``dict`` the first fails, by raising AttributeError, unless *y* is one of
    ``dir(dict)``. Views are plain dicts, so a page makes a hundred such lookups: this
    goes straight to the key (or to the same undefined value) for those names, and to
    Jinja2's own lookup for everything else. The result is the same object either way.
    """

    template_class = _Template
    provider_loader: BaseLoader | None = None  # site_templates/, if the provider has one
    builtin_loader: BaseLoader | None = None  # credpress/templates

    def builtin_only(self, name: str) -> bool:
        """Whether template *name* renders from credpress's own templates alone: neither it nor
        any template it extends, includes or imports (however indirectly) is the provider's, and
        each of them names the others it uses as constants (a name computed at run time could
        be any template)."""
        if self.provider_loader is None:
            return True
        if self.builtin_loader is None:
            return False
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            try:  # site_templates/ comes first (for a "default/..." name too)
                self.provider_loader.get_source(self, current)
                return False
            except TemplateNotFound:
                pass
            try:
                source = self.builtin_loader.get_source(self, current.removeprefix("default/"))[0]
            except TemplateNotFound:
                return False
            for referenced in meta.find_referenced_templates(self.parse(source)):
                if referenced is None:
                    return False
                todo.append(referenced)
        return True

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and type(attribute) is str and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def environment(user_templates: Path | None = None) -> _Environment:
    builtin = PackageLoader("credpress", "templates")
    loaders: list[BaseLoader] = []
    provider = None
    if user_templates is not None and user_templates.is_dir():
        provider = FileSystemLoader(str(user_templates))
        loaders.append(provider)
    loaders += [builtin, PrefixLoader({"default": builtin})]
    env = _Environment(
        loader=ChoiceLoader(loaders),
        # A build renders from the templates as they were when it read them (the build cache's
        # keys cover them as they were), so a template is not checked for changes at every use.
        auto_reload=False,
        cache_size=-1,  # a plain dict: a build uses a few dozen templates, each many times
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.provider_loader, env.builtin_loader = provider, builtin
    env.filters["markdown"] = markdown_html
    env.filters["script_json"] = json_for_script
    return env


class Renderer:
    """Renders pages; every page gets ``root`` (relative path to the site root)."""

    def __init__(self, env: Environment, common: dict[str, Any]):
        self.env = env
        self.common = common
        self._builtin_only: dict[str, bool] = {}

    def builtin_only(self, template: str) -> bool:
        """Whether *template* renders from credpress's own templates alone (see
        ``_Environment.builtin_only``); asked once per template."""
        if template not in self._builtin_only:
            env = self.env
            self._builtin_only[template] = isinstance(env, _Environment) and env.builtin_only(template)
        return self._builtin_only[template]

    def page(self, template: str, path: str, **context: Any) -> str:
        root = relative(path, "")
        root = "" if root == "./" else root
        html = self.env.get_template(template).render(**self.common, root=root, page_path=path, **context)
        return strip_indentation(html)


def strip_indentation(html: str) -> str:
    """*html* without the templates' indentation at the start of each line.

    Browsers collapse that white space (CSS Text Level 3 §4.1.1, for
    ``white-space: normal``, which no stylesheet of ours changes for text), so it
    only costs bytes: about 300 per badge page. A page holding
    ``<pre>`` or ``<textarea>``, where white space is content, is left as it is.
    """
    if "<pre" in html or "<textarea" in html:
        return html
    # What ``re.sub(r"(?m)^[ \t]+", "", html)`` gives (MULTILINE "^" is the start and just after
    # each "\n"), some three times faster.
    return "\n".join([line.lstrip(" \t") for line in html.split("\n")])
