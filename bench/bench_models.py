# mypy: disable-error-code="import-not-found,misc,call-overload"
"""Benchmark: structure the reference's full Call, ours against pydantic v2 (a script).

Run: ``python bench/bench_models.py [N] [PAIRS]`` (N structurings per side of a pair,
default 5000; PAIRS >= 7, default 9), after ``pip install -e '.[bench]'`` for the
baselines. Every figure is the median ratio of interleaved pairs (see pairs.py).

Targets (issue 11):
- dict in: ``structure(payload, Call)`` >= 1.2x pydantic v2 ``model_validate``;
- bytes in: ``loads`` + ``structure`` >= 1.0x pydantic v2 ``model_validate_json``, where
  ``loads`` is what the client uses (orjson when installed, else json.loads).
msgspec (``convert`` / ``json.decode``) and a plain cattrs converter are shown for
reference, without a target. The pydantic and msgspec models are generated from our
attrs classes, so they have the same fields, types and defaults.
"""

from __future__ import annotations

import json
import os
import sys
import time
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import attrs  # noqa: E402
import pairs  # noqa: E402

from aircall_async.models import Call, Model, structure  # noqa: E402
from aircall_async.models._converter import _make_converter  # noqa: E402
from tests.test_models_data import FULL_CALL  # noqa: E402

try:
    import orjson
except ImportError:
    orjson = None  # type: ignore[assignment]


def pin_one_core() -> str:
    """Pin this process to one CPU if the OS supports it; say which."""
    setaffinity = getattr(os, "sched_setaffinity", None)
    if setaffinity is None:
        return "not pinned (no sched_setaffinity)"
    cpu = max(os.sched_getaffinity(0))
    setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def rate(fn: Callable[[], object], n: int) -> Callable[[], float]:
    """A measure: ``fn`` called ``n`` times; calls per second."""

    def measure() -> float:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        return n / (time.perf_counter() - start)

    return measure


def _data_fields(cls: type[Model]) -> list[tuple[str, Any, Any]]:
    """(name, type, default) of a model's data fields, string annotations resolved."""
    attrs.resolve_types(cls)  # a no-op for User, which numbers.py resolves at import
    out = []
    for field in attrs.fields(cls):
        if field.name in ("raw", "unparsed"):
            continue
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        out.append((field.name, field.type, default))
    return out


def _translate(tp: Any, make: Callable[[type[Model]], Any]) -> Any:
    """``tp`` with every Model class replaced by ``make(cls)``."""
    if isinstance(tp, type) and issubclass(tp, Model):
        return make(tp)
    args = typing.get_args(tp)
    if not args:
        return tp
    new = tuple(_translate(a, make) for a in args)
    origin = typing.get_origin(tp)
    if origin is list:
        return list[new[0]]  # type: ignore[valid-type]
    return typing.Union[new]  # noqa: UP007


Build = Callable[[str, list[tuple[str, Any, Any]]], Any]


def mirror(cls: type[Model], prefix: str, build: Build, forward: Callable[[str], Any]) -> Any:
    """``cls`` and the models it embeds rebuilt by ``build(name, fields)``.

    Models embed each other (User -> Number -> User): a model met again while it is
    being built is referred to by ``forward(name)``.
    """
    built: dict[str, Any] = {}

    def make(model: type[Model]) -> Any:
        name = prefix + model.__name__
        if name not in built:
            built[name] = None
            fields = [(f, _translate(tp, make), d) for f, tp, d in _data_fields(model)]
            built[name] = build(name, fields)
        return forward(name) if built[name] is None else built[name]

    return make(cls), built


def pydantic_model(cls: type[Model]) -> Any:
    """A pydantic v2 model with ``cls``'s fields, or None without pydantic."""
    try:
        import pydantic
    except ImportError:
        return None

    def build(name: str, fields: list[tuple[str, Any, Any]]) -> Any:
        return pydantic.create_model(name, **{f: (tp, d) for f, tp, d in fields})

    top, built = mirror(cls, "P", build, typing.ForwardRef)
    for model in built.values():
        model.model_rebuild(_types_namespace=built)
    return top


def msgspec_model(cls: type[Model]) -> Any:
    """A msgspec Struct with ``cls``'s fields, or None without msgspec."""
    try:
        import msgspec
    except ImportError:
        return None

    def build(name: str, fields: list[tuple[str, Any, Any]]) -> Any:
        specs = [
            (f, tp, msgspec.field(default_factory=list) if isinstance(d, list) else d)
            for f, tp, d in fields
        ]
        struct = msgspec.defstruct(name, specs, module=__name__)
        globals()[name] = struct  # where msgspec resolves the forward references
        return struct

    return mirror(cls, "M", build, str)[0]


def main() -> int:
    """Run the pairs and print the figures and verdicts."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    print(f"models: the full Call x{n} per side, {pin_one_core()}, Python {sys.version.split()[0]}")
    text = json.dumps(FULL_CALL).encode()
    payload = json.loads(text)
    plain = _make_converter(lenient=False)  # cattrs' generated hooks alone: a bad field raises
    assert structure(payload, Call) == plain.structure(payload, Call)
    loads: Callable[[bytes], Any] = orjson.loads if orjson is not None else json.loads
    loads_name = "orjson.loads" if orjson is not None else "json.loads"

    def ours_dict() -> object:
        return structure(payload, Call)

    def ours_bytes() -> object:
        return structure(loads(text), Call)

    def ours_json_loads() -> object:
        return structure(json.loads(text), Call)

    def plain_dict() -> object:
        return plain.structure(payload, Call)

    paired = pairs.pairs(rate(ours_dict, n), rate(plain_dict, n), count)
    print(f"reference: lenient structure() vs plain cattrs, dict in: {paired.describe()}")
    pcall = pydantic_model(Call)
    if pcall is None:
        print("pydantic: not installed (pip install -e '.[bench]'); its targets are not measured")
    else:
        pcall.model_validate(payload)
        pcall.model_validate_json(text)
        pairs.ratio_verdict(
            "dict in: structure() vs pydantic v2 model_validate",
            pairs.pairs(rate(ours_dict, n), rate(lambda: pcall.model_validate(payload), n), count),
            1.2,
        )
        pairs.ratio_verdict(
            f"bytes in: {loads_name} + structure() vs pydantic v2 model_validate_json",
            pairs.pairs(
                rate(ours_bytes, n), rate(lambda: pcall.model_validate_json(text), n), count
            ),
            1.0,
        )
        if orjson is not None:
            paired = pairs.pairs(
                rate(ours_json_loads, n), rate(lambda: pcall.model_validate_json(text), n), count
            )
            print(
                f"reference: json.loads + structure() vs model_validate_json: {paired.describe()}"
            )
    mcall = msgspec_model(Call)
    if mcall is None:
        print("msgspec: not installed; shown for reference only")
    else:
        import msgspec

        msgspec.convert(payload, mcall, strict=False)
        paired = pairs.pairs(
            rate(ours_dict, n),
            rate(lambda: msgspec.convert(payload, mcall, strict=False), n),
            count,
        )
        print(f"reference: structure() vs msgspec.convert, dict in: {paired.describe()}")
        decoder = msgspec.json.Decoder(mcall, strict=False)
        paired = pairs.pairs(rate(ours_bytes, n), rate(lambda: decoder.decode(text), n), count)
        print(f"reference: {loads_name} + structure() vs msgspec json decode: {paired.describe()}")
    return pairs.summary()


if __name__ == "__main__":
    raise SystemExit(main())
