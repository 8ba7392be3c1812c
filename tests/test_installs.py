"""Reproducible installs: the lock files pin every package with its hashes and agree with
pyproject.toml; `make audit` never says "no vulnerabilities" about packages it could not
check (ops/audit.py)."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ops import audit

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)")


def locked(name: str) -> dict[str, str]:
    """{package: version} of a lock file; every pin followed by at least one hash."""
    text = (ROOT / "requirements" / name).read_text()
    pins = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{match.group(1)} has no hash in {name}"
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


@pytest.mark.parametrize(("lock", "extras"), [("app.txt", ("s3",)), ("dev.txt", ("s3", "dev"))])
def test_the_lock_pins_what_pyproject_asks_for(lock, extras):
    pins = locked(lock)

    for requirement in declared(*extras):
        version = pins.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is missing from {lock}: make lock"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{requirement.name}=={version} in {lock} is outside {requirement.specifier}"
        )


def test_development_installs_the_versions_production_runs():
    app, dev = locked("app.txt"), locked("dev.txt")

    assert {name: dev[name] for name in app} == app
    assert {"pip", "setuptools"} <= app.keys()  # the project builds from the lock too
    assert {"qrcode", "redis", "psycopg-binary"} <= app.keys()  # through the extras


def test_unused_and_redundant_dependencies_are_gone():
    names = {canonicalize_name(r.name) for r in declared("s3", "dev")}

    assert "factory-boy" not in names
    assert "qrcode" not in names  # comes with django-otp[qrcode]
    assert "redis" not in names  # comes with django-redis


def test_the_venv_is_installed_from_the_lock_file():
    makefile = (ROOT / "Makefile").read_text()

    assert "$(STAMP): requirements/dev.txt" in makefile
    assert "--require-hashes -r requirements/dev.txt" in makefile


# --- make audit ---------------------------------------------------------------------------


def report(*dependencies):
    return {"dependencies": list(dependencies), "fixes": []}


def test_audit_says_nothing_was_checked_when_no_advisory_source_answers(monkeypatch, capsys):
    skipped = report(
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        {"name": "pillow", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    )
    answers = {"pypi": (skipped, ""), "osv": (None, "ConnectionError: api.osv.dev")}
    monkeypatch.setattr(audit, "run_pip_audit", lambda locks, service, timeout: answers[service])

    status = audit.main([])

    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith("pip-audit: no advisory source reachable, vulnerabilities NOT checked")
    assert "no known vulnerabilities" not in out.lower()


def test_audit_fails_on_a_known_vulnerability_and_names_what_it_could_not_check(
    monkeypatch, capsys
):
    found = report(
        {"name": "django", "version": "5.2.1", "vulns": []},
        {
            "name": "pillow",
            "version": "11.0.0",
            "vulns": [{"id": "PYSEC-2099-1", "fix_versions": ["11.3.0"]}],
        },
        {"name": "zlib-ng", "skip_reason": "Dependency not found on PyPI"},
    )
    monkeypatch.setattr(audit, "run_pip_audit", lambda locks, service, timeout: (found, ""))

    status = audit.main(["--lock", "requirements/app.txt"])

    out = capsys.readouterr().out.splitlines()
    assert status == 1
    assert out == [
        "pip-audit (pypi): 2 of 3 locked packages checked in requirements/app.txt",
        "  pillow 11.0.0: PYSEC-2099-1 (fixed in 11.3.0)",
        "  NOT checked (no advisory data): zlib-ng",
        "1 known vulnerabilities: update the lock file",
    ]


def test_audit_passes_when_every_package_was_checked(monkeypatch, capsys):
    clean = report(
        {"name": "django", "version": "5.2.1", "vulns": []},
        {"name": "pillow", "version": "13.0.0", "vulns": []},
    )
    monkeypatch.setattr(audit, "run_pip_audit", lambda locks, service, timeout: (clean, ""))

    assert audit.main(["--lock", "requirements/app.txt"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "no known vulnerabilities in the 2 packages checked"
    )
