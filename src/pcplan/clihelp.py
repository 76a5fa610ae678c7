"""Help that shows placeholders (PATH, DATE, CODES), never Python types, and no value after a flag.

Typer's newer releases print a type column (`<bool>`, `<path>`, `<list[Path]>`)
for every parameter, even flags, and ignore an argument's metavar there. Each
parameter of pcplan names its placeholder (`metavar=`); these command classes
make every typer release show that placeholder and nothing else.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup


def _is_argument(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "argument"


def _show_placeholders(params: list) -> list:
    """Make each parameter's help show its metavar and nothing else. A parameter without a metavar
    keeps typer's own display, so the help test catches it."""
    for param in params:
        if getattr(param, "_pcplan_placeholder", False):
            continue
        param._pcplan_placeholder = True
        if hasattr(param, "display_type_rich"):
            # Newer typer: a type column of its own; a flag has no value and an argument's metavar is its name.
            if getattr(param, "is_flag", False) or (_is_argument(param) and param.metavar):
                param.display_type_rich = lambda ctx: None
        elif _is_argument(param) and param.metavar:
            _older_typer_argument(param)
    return params


def _older_typer_argument(param: Any) -> None:
    """Older typer (up to its click-based releases) shows an argument's lowercase name, then its click type
    (`TEXT`) when the metavar is the name in capitals: show the metavar as the name, and no type."""
    metavar = param.metavar
    param.opts = [metavar]
    # help only: Command builds the usage line, and the hint is below (newer click passes ctx=)
    param.make_metavar = lambda *args, **kwargs: ""
    param.get_error_hint = lambda ctx: f"'{metavar}'"


class Command(TyperCommand):
    """A pcplan command: placeholders in the options table; `PATH` and `[PATH]...` in the usage line."""

    def get_params(self, ctx: Any) -> list:
        return _show_placeholders(super().get_params(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if not _is_argument(param):
                pieces.extend(param.get_usage_pieces(ctx))
                continue
            name = param.metavar or param.name.upper()
            piece = name if param.required else f"[{name}]"
            pieces.append(piece + ("..." if param.nargs != 1 else ""))
        return pieces


class Group(TyperGroup):
    """The `pcplan` group: the same placeholders for its own options (--version, --help)."""

    def get_params(self, ctx: Any) -> list:
        return _show_placeholders(super().get_params(ctx))


def rule_suggestions(typed: str, rules: dict[str, str], allow_prefix: bool = False) -> list[str]:
    """The rule codes closest to what was typed where a code belongs, best first: ``L1O1`` → ``L101`` (a letter
    typed for a digit), else the closest code and the code of the closest name (``noteempty`` → ``N802``).

    ``rules`` maps each code to its name. With ``allow_prefix`` (`--select`, `--ignore`), a prefix such as
    ``L1`` is a valid entry, so only an unknown one gets here; its suggestions are still whole codes.
    """
    import difflib

    text = typed.strip()
    upper = text.upper()
    # A digit typed as a letter (O for 0, l or I for 1) is the usual slip: that code, and only it.
    digits = upper[:1] + upper[1:].translate(str.maketrans("OIL", "011"))
    if digits in rules:
        return [digits]
    by_name = {name: code for code, name in rules.items()}
    found = difflib.get_close_matches(upper, list(rules), n=1, cutoff=0.6)
    found += [by_name[name] for name in difflib.get_close_matches(text.lower(), list(by_name), n=1, cutoff=0.6)]
    return list(dict.fromkeys(found))


def rule_code(typed: str, rules: dict[str, str]) -> str | None:
    """The code ``typed`` names: a code in any letter case (``l101``), or a rule's name (``goal-without-need``);
    None when it names no rule."""
    text = typed.strip()
    if text.upper() in rules:
        return text.upper()
    return next((code for code, name in rules.items() if name == text.lower()), None)


def did_you_mean(suggestions: list[str]) -> str:
    """`` (did you mean `L101`?)``, `` (did you mean `L101` or `L110`?)``, or nothing."""
    if not suggestions:
        return ""
    quoted = [f"`{code}`" for code in suggestions]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" (did you mean {listed}?)"
