"""pcplan.toml: find it, read it, and refuse anything we do not understand.

An unknown key or rule code is a configuration error (exit 2) naming the key and
the file: a typo in a compliance tool's configuration must never silently turn a
rule off.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .codes import redirected
from .links import symlink_problem

CONFIG_NAME = "pcplan.toml"
MAX_CONFIG_BYTES = 1024 * 1024  # an agency's pcplan.toml is a few hundred bytes; a large one is not a configuration
SEVERITIES = ("error", "warning", "info")

# Training modules an agency may require (the Weld County CMA policy's list);
# `[settings] training_modules` replaces it for agencies with other curricula.
DEFAULT_TRAINING_MODULES = (
    "person-centered-support-planning", "person-centered-case-management", "person-centered-assessment",
    "disability-and-cultural-competency", "hcbs-settings-and-rights-modifications", "member-rights",
    "accessibility", "soft-skills", "program-specific-knowledge", "colorado-single-assessment",
)

DEFAULT_DEFICIT_TERMS = (
    "non-compliant", "noncompliant", "refuses", "low-functioning", "manipulative",
    "attention-seeking", "suffers from", "wheelchair-bound",
)

# Words that describe limiting one of the rights the HCBS settings rule protects (H503): coming and going
# (locked, curfew, door alarm), visitors (supervised visit), food and belongings (locked, restricted),
# freedom from restraint and seclusion. Each is rare in ordinary plan text, so a match is worth a look.
DEFAULT_RESTRICTION_TERMS = (
    "locked", "restricted", "restriction", "curfew", "restraint", "restrained", "seclusion", "secluded",
    "supervised visit", "door alarm",
)


class ConfigError(Exception):
    """A configuration problem the user must fix; the CLI exits with 2."""


@dataclass(frozen=True)
class Settings:
    review_interval_months: int = 12
    reassessment_interval_months: int = 12
    assessment_max_age_days: int = 90
    copy_deadline_days: int = 15
    training_deadline_days: int = 120
    training_modules: tuple[str, ...] = DEFAULT_TRAINING_MODULES
    required_trainings: tuple[str, ...] = ()
    plain_language_grade: float = 8.0
    deficit_terms: tuple[str, ...] = DEFAULT_DEFICIT_TERMS
    restriction_terms: tuple[str, ...] = DEFAULT_RESTRICTION_TERMS  # H503
    # The life of a case (DESIGN.md): agency policy; the defaults are placeholders for the state's deadlines.
    assessment_due_days: int = 30  # T210: an episode's enrollment → its first assessment
    plan_due_days: int = 60  # T211: an episode's enrollment → a consented plan in effect
    change_review_days: int = 30  # T212: a significant-change assessment → a review or consented revision
    signature_due_days: int = 30  # T213: a plan's date → its consent
    notice_days: int = 10  # C308: advance notice of a reduced or ended paid support
    history_months: int = 12  # T205: how far back missed contacts under superseded plans are still reported
    hold_contact_days: int = 30  # T214: while a hold is open, some contact (collateral counts) at least this often
    max_hold_days: int = 90  # T214: a hold open longer than this (since its start or last review) wants a decision


# `[reconcile]`: the case-management service codes (U908) and, of those, the ones that need the member present.
DEFAULT_CASE_MANAGEMENT_CODES = ("T1016", "T1017", "T2022", "G9002")
DEFAULT_FACE_TO_FACE_CODES = ("G9002",)
# The delivery layout's column names (docs/reconcile.md): `[reconcile.columns]` maps a state's names onto them.
DELIVERY_COLUMNS = (
    "member_id", "member_identifier_system", "member_identifier", "service_code", "modifiers", "provider_id",
    "provider_npi", "provider_medicaid_id", "date_of_service", "units", "start_time", "end_time", "claim_id",
    "claim_status",
)


@dataclass(frozen=True)
class ReconcileSettings:
    columns: dict[str, str] = field(default_factory=dict)  # pcplan's column name -> the file's
    case_management_codes: tuple[str, ...] = DEFAULT_CASE_MANAGEMENT_CODES
    face_to_face_codes: tuple[str, ...] = DEFAULT_FACE_TO_FACE_CODES
    underdelivery_percent: int = 75  # U905
    underdelivery_followup_days: int = 14  # U905


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the pcplan.toml read, or None for defaults
    agency: str = ""
    logo: str | None = None
    locale: str = "en"
    templates: str | None = None
    paper: str = "letter"
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    per_path_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    # `[report] measures`: which CMS LTSS measure specifications `report` computes (docs/measures.md):
    # "ffs" (fee-for-service LTSS, the default) or "mltss" (managed-care plans).
    measures: str = "ffs"
    # `[reconcile]`: how `pcplan reconcile` reads delivery files and judges case management (docs/reconcile.md).
    reconcile: ReconcileSettings = field(default_factory=ReconcileSettings)


# What each key may hold: (type check, description for the message).
def _str(v: Any) -> bool:
    return isinstance(v, str)


def _str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _pos_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def _nonneg_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _grade(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v <= 20


def _path(v: Any) -> bool:
    """A path the operating system can take: text without a NUL (no file name holds one; opening it would fail)."""
    return isinstance(v, str) and "\x00" not in v


_TOP = {"agency": (_str, "text"),
        "logo": (_path, "a file path (text without a NUL character)"),
        "locale": (_str, "a language code"),
        "templates": (_path, "a folder path (text without a NUL character)"),
        "paper": (lambda v: v in ("letter", "a4"), '"letter" or "a4"'),
        "exclude": (_str_list, "a list of glob patterns")}
_REPORT = {"measures": (lambda v: v in ("ffs", "mltss"), '"ffs" or "mltss"')}
_RECONCILE = {
    "columns": (lambda v: isinstance(v, dict) and all(isinstance(x, str) and x for x in v.values()),
                "a table of pcplan's column name = \"the file's column name\""),
    "case_management_codes": (_str_list, "a list of service codes"),
    "face_to_face_codes": (_str_list, "a list of service codes"),
    "underdelivery_percent": (lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100,
                              "a whole number from 0 to 100"),
    "underdelivery_followup_days": (_nonneg_int, "a whole number of days, 0 or more"),
}
_RULES = {"select": (_str_list, "a list of rule codes"), "ignore": (_str_list, "a list of rule codes")}
_SETTINGS = {
    "review_interval_months": (_pos_int, "a whole number of months above 0"),
    "reassessment_interval_months": (_pos_int, "a whole number of months above 0"),
    "assessment_max_age_days": (_nonneg_int, "a whole number of days, 0 or more"),
    "copy_deadline_days": (_nonneg_int, "a whole number of days, 0 or more"),
    "training_deadline_days": (_nonneg_int, "a whole number of days, 0 or more"),
    "training_modules": (_str_list, "a list of training module names"),
    "required_trainings": (_str_list, "a list of training module names"),
    "plain_language_grade": (_grade, "a grade level from 1 to 20"),
    "deficit_terms": (_str_list, "a list of words or phrases"),
    "restriction_terms": (_str_list, "a list of words or phrases"),
    "assessment_due_days": (_pos_int, "a whole number of days above 0"),
    "plan_due_days": (_pos_int, "a whole number of days above 0"),
    "change_review_days": (_pos_int, "a whole number of days above 0"),
    "signature_due_days": (_pos_int, "a whole number of days above 0"),
    "notice_days": (_nonneg_int, "a whole number of days, 0 or more"),
    "history_months": (_pos_int, "a whole number of months above 0"),
    "hold_contact_days": (_pos_int, "a whole number of days above 0"),
    "max_hold_days": (_pos_int, "a whole number of days above 0"),
}
_MODULE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def find_root(start: Path) -> Path:
    """The repository root: nearest folder upward with pcplan.toml, else .git, else ``start``."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    candidates = [folder, *folder.parents]
    for candidate in candidates:
        if (candidate / CONFIG_NAME).is_file():
            return candidate
    for candidate in candidates:
        if (candidate / ".git").exists():
            return candidate
    return folder


def load_config(root: Path, known_codes: set[str]) -> Config:
    """Read ``root/pcplan.toml`` (defaults when absent) and validate every key."""
    path = root / CONFIG_NAME
    if not os.path.lexists(path):
        return Config()
    where = _display(path)
    # Read by the rule every case file is read by (pcplan.links): a link out of the repository is refused by name,
    # never followed (an outside `ignore = ["ALL"]` would silence the check); so is what is not a regular file
    # (a FIFO would block), and the size is bounded before anything is parsed.
    refused = symlink_problem(path, root)
    if refused is not None:
        raise ConfigError(f"{where}: {refused}")
    if not path.is_file():
        raise ConfigError(f"{where}: not a regular file, not read: replace it with the configuration file itself")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
        if len(data) > MAX_CONFIG_BYTES:
            raise ConfigError(f"{where}: over {MAX_CONFIG_BYTES:,} bytes, not read: a configuration is a few "
                              "hundred bytes")
        raw = tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot read the configuration: {exc}") from None
    except ValueError as exc:  # TOMLDecodeError, or a whole number of more digits than Python reads (4,300)
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None

    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "rules":
            values.update(_rules_table(value, where, known_codes))
        elif key == "settings":
            values["settings"] = _settings_table(value, where)
        elif key == "report":
            values.update(_report_table(value, where))
        elif key == "reconcile":
            values["reconcile"] = _reconcile_table(value, where)
        elif key in _TOP:
            _expect(_TOP[key], value, key, where)
            values[key] = tuple(value) if isinstance(value, list) else value
        else:
            tables = ["rules", "settings", "report", "reconcile"]
            raise ConfigError(f"{where}: unknown key `{key}`{_suggest(key, [*_TOP, *tables])}")
    return Config(path=path, **values)


def _rules_table(table: Any, where: str, known_codes: set[str]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: `rules` must be a table ([rules])")
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"rules.{key}"
        if key in _RULES:
            _expect(_RULES[key], value, name, where)
            codes = [redirected(code) for code in value]  # a renamed code reads as its new one (codes.py)
            for code in codes:
                check_code(code, known_codes, f"{where}: `{name}`")
            out[key] = tuple(codes)
        elif key == "severity":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `{name}` must be a table of CODE = \"error\"|\"warning\"|\"info\"")
            for code, level in value.items():
                check_code(redirected(code), known_codes, f"{where}: `{name}`", allow_prefix=False)
                if level not in SEVERITIES:
                    raise ConfigError(f"{where}: `{name}.{code}` must be one of error, warning, info")
            out["severity"] = {redirected(code): level for code, level in value.items()}
        elif key == "per-path-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `{name}` must be a table of \"glob\" = [codes]")
            ignores = {}
            for glob, codes in value.items():
                _expect((_str_list, "a list of rule codes"), codes, f'{name}."{glob}"', where)
                read = [redirected(code) for code in codes]
                for code in read:
                    check_code(code, known_codes, f'{where}: `{name}."{glob}"`')
                ignores[glob] = tuple(read)
            out["per_path_ignores"] = ignores
        else:
            raise ConfigError(
                f"{where}: unknown key `{name}`{_suggest(key, [*_RULES, 'severity', 'per-path-ignores'])}")
    return out


def _report_table(table: Any, where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: `report` must be a table ([report])")
    for key, value in table.items():
        if key not in _REPORT:
            raise ConfigError(f"{where}: unknown key `report.{key}`{_suggest(key, list(_REPORT))}")
        _expect(_REPORT[key], value, f"report.{key}", where)
    return dict(table)


def _reconcile_table(table: Any, where: str) -> ReconcileSettings:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: `reconcile` must be a table ([reconcile])")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _RECONCILE:
            raise ConfigError(f"{where}: unknown key `reconcile.{key}`{_suggest(key, list(_RECONCILE))}")
        _expect(_RECONCILE[key], value, f"reconcile.{key}", where)
        if key == "columns":
            for name in value:
                if name not in DELIVERY_COLUMNS:
                    raise ConfigError(f"{where}: unknown key `reconcile.columns.{name}`"
                                      f"{_suggest(name, list(DELIVERY_COLUMNS))}: the columns are "
                                      f"{', '.join(DELIVERY_COLUMNS)}")
            values[key] = dict(value)
        elif isinstance(value, list):
            values[key] = tuple(code.strip().upper() for code in value)
        else:
            values[key] = value
    return ReconcileSettings(**values)


def _settings_table(table: Any, where: str) -> Settings:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: `settings` must be a table ([settings])")
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = f"settings.{key}"
        if key not in _SETTINGS:
            raise ConfigError(f"{where}: unknown key `{name}`{_suggest(key, list(_SETTINGS))}")
        _expect(_SETTINGS[key], value, name, where)
        if key in ("required_trainings", "training_modules"):
            for module in value:
                if not _MODULE_NAME.match(module):
                    raise ConfigError(
                        f"{where}: `{name}` has `{module}`, which is not a module name "
                        "(lower-case letters, digits and hyphens, as in staff.yaml)")
        values[key] = tuple(value) if isinstance(value, list) else value
    known = values.get("training_modules", DEFAULT_TRAINING_MODULES)
    for module in values.get("required_trainings", ()):
        if module not in known:
            raise ConfigError(
                f"{where}: `settings.required_trainings` names `{module}`, which is not a known training "
                f"module{_suggest(module, list(known))}; add it to `settings.training_modules` if it is yours")
    return Settings(**values)


def check_code(code: str, known_codes: set[str], where: str, allow_prefix: bool = True) -> None:
    """Accept a full rule code, ``ALL``, or (where allowed) a prefix like ``L1`` or ``T``."""
    if code in known_codes or (allow_prefix and code == "ALL"):
        return
    if allow_prefix and code and any(c.startswith(code) for c in known_codes):
        return
    raise ConfigError(f"{where} names `{code}`, which is not a pcplan rule code (see `pcplan rules`)")


def _expect(spec: tuple, value: Any, name: str, where: str) -> None:
    check, description = spec
    if not check(value):
        raise ConfigError(f"{where}: `{name}` must be {description}")


def _suggest(key: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, choices, n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())).replace("\\", "/")
    except ValueError:
        return str(path)
