"""A task's instructions: a Jinja template over the task's data (sandboxed), then Markdown, then sanitized HTML.

The template comes from the model's designer and the data from the people who filled earlier forms, so
neither is trusted: the sandbox keeps templates away from Python internals, data values are escaped, and
whatever HTML comes out of Markdown passes through an allow-list before it reaches the page.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import markdown
import nh3
from jinja2 import Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from webui.filters import local_time, money

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")  # < and > are HTML-escaped


def _literal(value: Any) -> Any:
    """Data values print as text: their Markdown punctuation is escaped, so a value cannot add a link."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _MARKDOWN_PUNCTUATION.sub(r"\\\1", value)
    return value


_ENVIRONMENT = SandboxedEnvironment(autoescape=True, finalize=_literal)
_ENVIRONMENT.filters.update(dinero=money, fecha=local_time)  # the names engine.checks.INSTRUCTION_FILTERS allows
ALLOWED_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "code",
                "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "span",
                "del", "sub", "sup"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
FAILED = "No se pudieron mostrar las instrucciones de esta tarea"


@functools.lru_cache(maxsize=256)
def _compile(source: str) -> Template:
    return _ENVIRONMENT.from_string(source)


def render_markdown(text: str) -> Markup:
    """Markdown to HTML, then only the allowed tags and attributes (scripts and handlers are dropped)."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)  # sanitized just above


def render_instructions(source: str | None, data: dict[str, Any]) -> Markup:
    """The instructions as safe HTML; an empty Markup when there are none."""
    if not source or not source.strip():
        return Markup("")
    try:
        text = _compile(source).render(**{k: v for k, v in data.items() if isinstance(k, str)})
    except SecurityError:  # the template reached for Python internals: say nothing of them
        return Markup('<p class="error">{}: la plantilla usa atributos no permitidos.</p>').format(FAILED)
    except TemplateError as exc:
        return Markup('<p class="error">{}: {}</p>').format(FAILED, escape(str(exc)))
    except Exception:  # a value whose methods fail while rendering: never a 500 for the whole page
        return Markup('<p class="error">{}.</p>').format(FAILED)
    return render_markdown(text)
