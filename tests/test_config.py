"""pcplan.toml: load_config refuses what it does not understand; find_root finds the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

import pcplan.rules
from pcplan.config import Config, ConfigError, find_root, load_config

KNOWN = set(pcplan.rules.RULES)
SAMPLE = Path(__file__).resolve().parent.parent / "sample_cases"


def write(root: Path, text: str) -> Path:
    path = root / "pcplan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(root: Path, text: str) -> str:
    write(root, text)
    with pytest.raises(ConfigError) as info:
        load_config(root, KNOWN)
    message = str(info.value)
    assert "pcplan.toml" in message  # every error names the file
    return message


# --- defaults and the reference file ------------------------------------------------------

def test_missing_file_gives_defaults(tmp_path):
    config = load_config(tmp_path, KNOWN)
    assert config == Config()
    assert config.path is None
    assert config.settings.review_interval_months == 12
    assert config.select == ("ALL",)


def test_reference_file_loads_with_its_values():
    config = load_config(SAMPLE, KNOWN)
    assert config.path == SAMPLE / "pcplan.toml"
    assert config.agency == "Riverside Case Management Agency"
    assert len(config.settings.required_trainings) == 4
    assert "member-rights" in config.settings.required_trainings
    assert "wheelchair-bound" in config.settings.deficit_terms
    assert config.settings.plain_language_grade == 8


def test_values_are_reflected(tmp_path):
    write(tmp_path, 'agency = "Acme"\n[rules]\nignore = ["L101"]\nseverity = { L102 = "info" }\n'
                    '[rules.per-path-ignores]\n"archive/**" = ["L1"]\n'
                    '[settings]\nreview_interval_months = 6\ndeficit_terms = ["bad"]\n')
    config = load_config(tmp_path, KNOWN)
    assert config.agency == "Acme"
    assert config.ignore == ("L101",)
    assert config.severity == {"L102": "info"}
    assert config.per_path_ignores == {"archive/**": ("L1",)}
    assert config.settings.review_interval_months == 6
    assert config.settings.deficit_terms == ("bad",)


# --- unknown keys -------------------------------------------------------------------------

def test_unknown_top_level_key_suggests_near_miss(tmp_path):
    message = config_error(tmp_path, 'agncy = "Acme"\n')
    assert "agncy" in message
    assert "did you mean `agency`" in message


def test_unknown_top_level_key_without_near_miss(tmp_path):
    message = config_error(tmp_path, 'colour = "blue"\n')
    assert "colour" in message
    assert "did you mean" not in message


def test_unknown_key_in_rules(tmp_path):
    message = config_error(tmp_path, '[rules]\nselct = ["ALL"]\n')
    assert "rules.selct" in message
    assert "did you mean `select`" in message


def test_unknown_key_in_settings(tmp_path):
    message = config_error(tmp_path, "[settings]\nreview_interval = 6\n")
    assert "settings.review_interval" in message


# --- rule codes ---------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["ALL", "L1", "L", "E", "L101"])
def test_select_accepts_codes_prefixes_and_all(tmp_path, code):
    write(tmp_path, f'[rules]\nselect = ["{code}"]\n')
    assert load_config(tmp_path, KNOWN).select == (code,)


def test_ignore_accepts_prefix(tmp_path):
    write(tmp_path, '[rules]\nignore = ["L1"]\n')
    assert load_config(tmp_path, KNOWN).ignore == ("L1",)


def test_unknown_code_in_select(tmp_path):
    message = config_error(tmp_path, '[rules]\nselect = ["Z999"]\n')
    assert "rules.select" in message
    assert "Z999" in message


def test_unknown_code_in_ignore(tmp_path):
    message = config_error(tmp_path, '[rules]\nignore = ["L199"]\n')
    assert "rules.ignore" in message
    assert "L199" in message


def test_empty_code_in_select_is_refused(tmp_path):
    config_error(tmp_path, '[rules]\nselect = [""]\n')


def test_unknown_code_in_severity(tmp_path):
    message = config_error(tmp_path, '[rules]\nseverity = { Z999 = "warning" }\n')
    assert "rules.severity" in message
    assert "Z999" in message


def test_severity_needs_full_code_not_prefix(tmp_path):
    message = config_error(tmp_path, '[rules]\nseverity = { L1 = "warning" }\n')
    assert "L1" in message


def test_severity_all_is_refused(tmp_path):
    config_error(tmp_path, '[rules]\nseverity = { ALL = "warning" }\n')


def test_unknown_code_in_per_path_ignores(tmp_path):
    message = config_error(tmp_path, '[rules.per-path-ignores]\n"archive/**" = ["X1"]\n')
    assert "per-path-ignores" in message
    assert "X1" in message


def test_bad_severity_value(tmp_path):
    message = config_error(tmp_path, '[rules]\nseverity = { L101 = "fatal" }\n')
    assert "rules.severity.L101" in message
    assert "error, warning, info" in message


@pytest.mark.parametrize("level", ["error", "warning", "info"])
def test_good_severity_values(tmp_path, level):
    write(tmp_path, f'[rules]\nseverity = {{ L101 = "{level}" }}\n')
    assert load_config(tmp_path, KNOWN).severity == {"L101": level}


# --- settings values ----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "-1", "1.5", "true", '"12"'])
def test_bad_review_interval(tmp_path, value):
    message = config_error(tmp_path, f"[settings]\nreview_interval_months = {value}\n")
    assert "settings.review_interval_months" in message


LIFECYCLE_SETTINGS = ("assessment_due_days", "plan_due_days", "change_review_days", "signature_due_days",
                      "history_months")


@pytest.mark.parametrize("key", LIFECYCLE_SETTINGS)
@pytest.mark.parametrize("value", ["0", "-3", "2.5", "false", '"30"'])
def test_bad_lifecycle_deadlines(tmp_path, key, value):
    message = config_error(tmp_path, f"[settings]\n{key} = {value}\n")
    assert f"settings.{key}" in message


@pytest.mark.parametrize("key", [*LIFECYCLE_SETTINGS, "notice_days"])
def test_lifecycle_deadlines_are_read(tmp_path, key):
    write(tmp_path, f"[settings]\n{key} = 45\n")
    assert getattr(load_config(tmp_path, KNOWN).settings, key) == 45


def test_notice_days_may_be_zero_and_a_misspelling_is_named(tmp_path):
    write(tmp_path, "[settings]\nnotice_days = 0\n")
    assert load_config(tmp_path, KNOWN).settings.notice_days == 0
    message = config_error(tmp_path, "[settings]\nplan_due_day = 45\n")
    assert "plan_due_days" in message  # did you mean


def test_init_writes_every_setting_with_its_default(tmp_path):
    import tomllib

    from pcplan.config import Settings
    from pcplan.scaffold.texts import pcplan_toml

    written = tomllib.loads(pcplan_toml(None))["settings"]
    for key in (*LIFECYCLE_SETTINGS, "notice_days"):
        assert written[key] == getattr(Settings(), key)


def test_plain_language_grade_zero(tmp_path):
    message = config_error(tmp_path, "[settings]\nplain_language_grade = 0\n")
    assert "settings.plain_language_grade" in message


def test_required_trainings_not_a_list(tmp_path):
    message = config_error(tmp_path, '[settings]\nrequired_trainings = "member-rights"\n')
    assert "settings.required_trainings" in message


def test_required_trainings_module_with_spaces(tmp_path):
    message = config_error(tmp_path, '[settings]\nrequired_trainings = ["member rights"]\n')
    assert "settings.required_trainings" in message
    assert "member rights" in message


def test_restriction_terms_default_read_and_checked(tmp_path):
    from pcplan.config import DEFAULT_RESTRICTION_TERMS

    assert Config().settings.restriction_terms == DEFAULT_RESTRICTION_TERMS
    assert {"locked", "curfew", "restraint", "seclusion", "supervised visit"} <= set(DEFAULT_RESTRICTION_TERMS)
    write(tmp_path, '[settings]\nrestriction_terms = ["time-out room", "locked"]\n')
    assert load_config(tmp_path, KNOWN).settings.restriction_terms == ("time-out room", "locked")
    write(tmp_path, "[settings]\nrestriction_terms = []\n")
    assert load_config(tmp_path, KNOWN).settings.restriction_terms == ()
    message = config_error(tmp_path, '[settings]\nrestriction_terms = "locked"\n')
    assert message.endswith("`settings.restriction_terms` must be a list of words or phrases")
    assert "restriction_terms" in config_error(tmp_path, '[settings]\nrestriction_term = ["locked"]\n')  # did you mean


def test_invalid_toml(tmp_path):
    message = config_error(tmp_path, "agency = \n")
    assert "not valid TOML" in message


def test_rules_not_a_table(tmp_path):
    message = config_error(tmp_path, "rules = 3\n")
    assert "rules" in message


# --- find_root ----------------------------------------------------------------------------

def test_find_root_prefers_pcplan_toml_upward(tmp_path):
    (tmp_path / "pcplan.toml").write_text("", encoding="utf-8")
    deep = tmp_path / "sub" / "deep"
    deep.mkdir(parents=True)
    (tmp_path / "sub" / ".git").mkdir()  # a nearer .git does not win over pcplan.toml
    assert find_root(deep) == tmp_path.resolve()


def test_find_root_falls_back_to_git(tmp_path):
    (tmp_path / ".git").mkdir()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_root(deep) == tmp_path.resolve()


def test_find_root_from_a_file_uses_its_folder(tmp_path):
    (tmp_path / ".git").mkdir()
    case = tmp_path / "cases" / "plan.yaml"
    case.parent.mkdir()
    case.write_text("kind: plan\n", encoding="utf-8")
    assert find_root(case) == tmp_path.resolve()


def test_find_root_falls_back_to_the_folder_itself(tmp_path):
    folder = tmp_path / "lonely"
    folder.mkdir()
    ancestors = [folder.resolve(), *folder.resolve().parents]
    if any((p / ".git").exists() or (p / "pcplan.toml").is_file() for p in ancestors):
        pytest.skip("the temporary folder sits inside a repository")
    assert find_root(folder) == folder.resolve()


def test_required_training_must_be_a_known_module(tmp_path):
    message = config_error(tmp_path, '[settings]\nrequired_trainings = ["member-right"]\n')
    assert "settings.required_trainings" in message and "member-right" in message
    assert "did you mean `member-rights`" in message


def test_agency_modules_extend_the_vocabulary(tmp_path):
    (tmp_path / "pcplan.toml").write_text(
        '[settings]\ntraining_modules = ["trauma-informed-care"]\nrequired_trainings = ["trauma-informed-care"]\n')
    config = load_config(tmp_path, set(pcplan.rules.RULES))
    assert config.settings.required_trainings == ("trauma-informed-care",)
