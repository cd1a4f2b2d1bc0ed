"""Every public name of the package has a docstring."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import aircall_async


def public_modules() -> Iterator[ModuleType]:
    yield aircall_async
    for info in pkgutil.walk_packages(aircall_async.__path__, "aircall_async."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        if info.name.endswith("__main__"):
            continue
        yield importlib.import_module(info.name)


def public_names(module: ModuleType) -> Iterator[tuple[str, object]]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name)
        ours = getattr(obj, "__module__", "").startswith("aircall_async")
        if not ours or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        yield f"{module.__name__}.{name}", obj
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if inspect.isfunction(member) or isinstance(member, property):
                    yield f"{module.__name__}.{name}.{attr}", member


def test_every_public_name_has_a_docstring() -> None:
    missing = sorted(
        {
            qualified
            for module in public_modules()
            for qualified, obj in public_names(module)
            if not (inspect.getdoc(obj) or "").strip()
        }
    )
    assert missing == []
