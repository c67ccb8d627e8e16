"""Build helpers for the docs site (mkdocs.yml names them; nothing else imports this file).

- :func:`on_files` (an mkdocs hook): ``home.md`` is the site's front page.
  mkdocs always serves ``index.md`` at the root, but here ``index.md`` is
  the persistent-index page (its name is kept for links and tests), so it is
  served at ``persistent-index/`` instead. Links between pages go by source
  file, so they stay right.
- :func:`docstrings` (a griffe extension, for the API reference): the
  docstrings are written for doctest and for reading in the source, so at
  build time their doctest blocks are fenced as ``pycon`` code and their
  roles (``:func:`x```, ``:class:`x```, ...) become links to the API page
  when the target is documented there, else plain code.

No third-party import at module level: pytest collects this folder for
doctests without the docs extra installed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

_ROLE = re.compile(r":(?:func|class|meth|attr|mod|data|exc|obj):`~?\.?([^`]+)`")
_API = Path(__file__).with_name("api.md")


def _serve(file: Any, name: str, dest_uri: str, url: str) -> None:
    file.name = name
    file.dest_uri = dest_uri
    file.url = url
    file.abs_dest_path = os.path.normpath(os.path.join(file.dest_dir, dest_uri))


def on_files(files: Any, config: Any) -> Any:
    for file in files:
        if file.src_uri == "index.md":
            _serve(file, "persistent-index", "persistent-index/index.html", "persistent-index/")
        elif file.src_uri == "home.md":
            _serve(file, "index", "index.html", "./")
    return files


def documented() -> set[str]:
    """The public names the API page documents (its ``::: dedup.NAME`` lines).

    Every name of ``dedup.__all__`` but the version string, and no other:

    >>> import dedup
    >>> documented() ^ (set(dedup.__all__) - {"__version__"})
    set()
    """
    return set(re.findall(r"^::: dedup\.(\w+)\s*$", _API.read_text(encoding="utf-8"), re.MULTILINE))


def fence_doctests(text: str) -> str:
    """Fence each doctest block as ``pycon`` code, at its own indentation.

    Blocks in an ``Examples:`` section are left alone: the docstring parser
    shows those as code already.

    >>> fence_doctests("Text.\\n\\n>>> 1 + 1\\n2\\n\\nMore.").split("\\n")
    ['Text.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'More.']
    >>> fence_doctests("Example:\\n    >>> 1\\n    1").split("\\n")
    ['Example:', '    ```pycon', '    >>> 1', '    1', '    ```']
    >>> fence_doctests("Examples:\\n    >>> 1\\n    1").split("\\n")
    ['Examples:', '    >>> 1', '    1']
    """
    out: list[str] = []
    block: str | None = None  # the indentation of the open fence
    examples: int | None = None  # the indentation of an Examples: header we are under
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip())
        if examples is not None and line.strip() and indent <= examples:
            examples = None
        if block is not None and not line.strip():
            out.append(block + "```")
            block = None
        if line.strip() in ("Examples:", "Examples"):
            examples = indent
        elif block is None and examples is None and line.lstrip().startswith(">>>"):
            block = line[:indent]
            out.append(block + "```pycon")
        out.append(line)
    if block is not None:
        out.append(block + "```")
    return "\n".join(out)


def link_roles(text: str, public: set[str], member: Callable[[str], str | None]) -> str:
    """Sphinx roles as links to documented names (``[`x`][dedup.x]``), else as code.

    ``member(name)`` gives ``Class.name`` when the docstring is of a
    documented class (or of its member) that has a public member ``name``.

    >>> in_boilerplate = {"save": "Boilerplate.save"}.get
    >>> link_roles(":func:`find_boilerplate` and :meth:`save`", {"find_boilerplate"}, in_boilerplate)
    '[`find_boilerplate`][dedup.find_boilerplate] and [`save`][dedup.Boilerplate.save]'
    >>> link_roles(":func:`dedup.recapture.is_recapture` :class:`Result`", {"find_boilerplate"}, in_boilerplate)
    '`dedup.recapture.is_recapture` `Result`'
    """

    def one(m: re.Match[str]) -> str:
        target = m.group(1)
        name = target.removeprefix("dedup.")
        head = name.split(".")[0]
        if head in public and not any(part.startswith("_") for part in name.split(".")):
            return f"[`{target}`][dedup.{name}]"
        inside = member(name)
        if inside is not None:
            return f"[`{target}`][dedup.{inside}]"
        return f"`{target}`"

    return _ROLE.sub(one, text)


_GROUPED = re.compile(r"^(\s+)(\w+(?:, \w+)+): (.*)$")


def split_grouped(text: str) -> str:
    """One Google-style entry per name where a docstring documents several at once.

    ``threshold, ngram: as for ...`` reads well in the source; the reference
    lists each parameter beside its type, so each name gets the description.

    >>> print(split_grouped("Args:\\n    a, b: the same\\n        thing.\\n    c: other."))
    Args:
        a: the same
            thing.
        b: the same
            thing.
        c: other.
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _GROUPED.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent, names, first = m.groups()
        rest = []
        i += 1
        while i < len(lines) and lines[i].startswith(indent + " ") and lines[i].strip():
            rest.append(lines[i])
            i += 1
        for name in names.split(", "):
            out += [f"{indent}{name}: {first}", *rest]
    return "\n".join(out)


def docstrings(**options: Any) -> Any:
    """The griffe extension (mkdocs.yml: ``extensions: [docs/_hooks.py:docstrings]``).

    It rewrites every docstring of the package once it is loaded, so a role
    naming a class member links only when the class has that member.
    """
    griffe: Any = import_module("griffe")  # the docs extra; only mkdocs calls this
    public = documented()

    def rewrite(obj: Any, owner: Any) -> None:
        if obj.is_alias:
            return
        if obj.is_class and obj.name in public:
            owner = obj
        if obj.docstring is not None:
            members = {n for n in owner.members if not n.startswith("_")} if owner is not None else set()

            def member(name: str) -> str | None:
                return f"{owner.name}.{name}" if name in members else None

            text = split_grouped(fence_doctests(obj.docstring.value))
            obj.docstring.value = link_roles(text, public, member)
        for child in obj.members.values():
            rewrite(child, owner)

    class Docstrings(griffe.Extension):
        def on_package(self, *, pkg: Any, **kwargs: Any) -> None:
            rewrite(pkg, None)

    return Docstrings(**options)
