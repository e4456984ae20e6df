"""Every public function and class of zoneplan shows a runnable example in its docstring.

Public means: named in the ``__all__`` of a public module (no path component starting with
``_``), not starting with ``_`` itself, and defined in zoneplan (a function or class from a
private module that a public module exports counts; a name re-exported from another library does
not). Each such object's own docstring needs a numpydoc ``Examples`` section with at least one
``>>>`` line; ``--doctest-modules`` (``make test``) then runs it. One test per object, so a
failure names it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable

import pytest

import zoneplan

_SECTION = re.compile(r"^Examples\n-{8,}\n(?P<body>.*?)(?=^\w[\w ]*\n-{3,}\n|\Z)", re.M | re.S)


def _public_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(zoneplan.__path__, "zoneplan.")]
    return ["zoneplan", *sorted(n for n in names if not any(part.startswith("_") for part in n.split(".")[1:]))]


def _public_objects() -> dict[str, tuple[Callable[..., object] | type, list[str]]]:
    """``module.qualname`` → (object, public modules exporting it)."""
    found: dict[str, tuple[Callable[..., object] | type, list[str]]] = {}
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            if name.startswith("_"):
                continue
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if not (obj.__module__ == "zoneplan" or obj.__module__.startswith("zoneplan.")):
                continue
            key = f"{obj.__module__}.{obj.__qualname__}"
            found.setdefault(key, (obj, []))[1].append(module_name)
    return found


PUBLIC = _public_objects()


def has_example(doc: str | None) -> bool:
    """Whether ``doc`` has an ``Examples`` section with a ``>>>`` line.

    >>> has_example("Sum.\\n\\nExamples\\n--------\\n>>> 1 + 1\\n2\\n")
    True
    >>> has_example("Sum.\\n\\nExamples\\n--------\\nSee the guide.\\n\\nNotes\\n-----\\n>>> 1\\n")
    False
    """
    section = _SECTION.search(inspect.cleandoc(doc or ""))
    return section is not None and any(line.lstrip().startswith(">>> ") for line in section.group("body").splitlines())


def test_the_walk_finds_the_public_api() -> None:
    # a walk that found nothing (or skipped a package) would pass every check below vacuously
    assert len(PUBLIC) > 300
    for name in ("zoneplan.plan.Plan", "zoneplan.analysis.indicators", "zoneplan.serve.serve", "zoneplan.serve._store.PlanStore"):
        assert name in PUBLIC, name
    assert not any(part.startswith("_") for module in (m for _, ms in PUBLIC.values() for m in ms) for part in module.split(".")[1:])


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_object_has_a_runnable_example(name: str) -> None:
    obj, exported_by = PUBLIC[name]
    # the object's own docstring: a class without one does not borrow its base class's
    assert has_example(obj.__doc__), f"{name} (exported by {', '.join(exported_by)}) has no Examples section with a >>> line"
