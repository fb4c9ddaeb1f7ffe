"""The systemd unit and its environment file: loopback, no home paths, runs ``-m ops_api``."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from ops_api.settings import Settings

OCI = Path(__file__).resolve().parents[2] / "deploy" / "oci"


def unit() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(OCI / "krx-ops-api.service", encoding="utf-8")
    return parser


def test_unit_runs_the_module_from_a_placeholder_path() -> None:
    service = unit()["Service"]
    assert service["ExecStart"].endswith("-m ops_api")
    assert service["EnvironmentFile"].startswith("/etc/")
    text = (OCI / "krx-ops-api.service").read_text(encoding="utf-8")
    assert not re.search(r"/home/|~/|[A-Z]:\\\\", text)
    assert "0.0.0.0" not in text


def test_env_example_is_loopback_and_parses() -> None:
    env = {}
    for line in (OCI / "krx-ops-api.env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    settings = Settings.from_env(env)
    assert settings.host == "127.0.0.1" and settings.port == 8000
    assert settings.branch is None and str(settings.repo) == "/opt/krx-alertor"


def test_settings_defaults_are_loopback() -> None:
    assert Settings().host == "127.0.0.1" and Settings.from_env({}).port == 8000
