"""Files shipped with pcplan: schemas and templates.

Installed, they live inside the package (the wheel maps the repository's
top-level ``schemas/`` and ``templates/`` there); in a source checkout they are
read from the repository itself.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]


def data_dir(name: str) -> Path:
    packaged = resources.files("pcplan") / name
    if packaged.is_dir():
        return Path(str(packaged))
    return _CHECKOUT / name


def schema_path(kind: str) -> Path:
    return data_dir("schemas") / f"{kind}.schema.json"


def schema_text(kind: str) -> str:
    return schema_path(kind).read_text(encoding="utf-8")


def templates_dir() -> Path:
    return data_dir("templates")
