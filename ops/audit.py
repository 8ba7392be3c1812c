"""`make audit`: known vulnerabilities of the locked packages, with pip-audit.

pip-audit reads the lock files (every package pinned with its hashes, so nothing is
resolved or installed) and asks an advisory source about each version: PyPI's JSON API
(which carries the OSV advisories), else OSV's own API. A package it could not ask about
is *skipped*, and pip-audit then still prints "No known vulnerabilities found" for the
rest — even when every package was skipped. This wrapper counts what was really checked:

- vulnerabilities found: they are listed, exit status 1;
- every package checked, none vulnerable: says so, exit status 0;
- no advisory source answered for any package (offline, a mirror without the JSON API):
  one line saying that nothing was checked, exit status 0 (CI must not fail for it, and
  it must never read as "no vulnerabilities");
- some packages checked, others not: the vulnerabilities of the checked ones as above,
  and the names of those that were not.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOCKS = ["requirements/app.txt", "requirements/dev.txt"]
SERVICES = ["pypi", "osv"]


def parse(argv):
    parser = argparse.ArgumentParser(prog="make audit ARGS=…", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--lock", action="append", help=f"a lock file to audit (default: {', '.join(LOCKS)})"
    )
    parser.add_argument("--timeout", type=int, default=15, help="seconds per request (15)")
    return parser.parse_args(argv)


def run_pip_audit(locks: list[str], service: str, timeout: int) -> tuple[dict | None, str]:
    """pip-audit's JSON report, or None and the reason when it could not produce one."""
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--progress-spinner", "off"]
    for lock in locks:
        command += ["--requirement", lock]
    command += ["--vulnerability-service", service, "--timeout", str(timeout), "--format", "json"]
    result = subprocess.run(  # noqa: S603 - pip-audit from this venv
        command, cwd=BASE_DIR, capture_output=True, text=True, check=False
    )
    try:
        return json.loads(result.stdout), ""
    except ValueError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return None, last[:300]


def vulnerable(report: dict) -> list[dict]:
    return [d for d in report["dependencies"] if d.get("vulns")]


def main(argv=None) -> int:
    args = parse(argv)
    locks = args.lock or LOCKS
    reasons = []
    for service in SERVICES:
        report, failure = run_pip_audit(locks, service, args.timeout)
        if report is None:
            reasons.append(f"{service}: {failure}")
            continue
        dependencies = report["dependencies"]
        checked = [d for d in dependencies if "skip_reason" not in d]
        if not checked:
            reasons.append(f"{service}: {dependencies[0]['skip_reason'] if dependencies else '?'}")
            continue
        return summarise(locks, service, dependencies, checked, vulnerable(report))
    print(
        f"pip-audit: no advisory source reachable, vulnerabilities NOT checked "
        f"({'; '.join(reasons)})"
    )
    return 0


def summarise(locks, service, dependencies, checked, found) -> int:
    skipped = [d["name"] for d in dependencies if "skip_reason" in d]
    print(
        f"pip-audit ({service}): {len(checked)} of {len(dependencies)} locked packages "
        f"checked in {', '.join(locks)}"
    )
    for dependency in found:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(
                f"  {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})"
            )
    if skipped:
        print(f"  NOT checked (no advisory data): {', '.join(skipped)}")
    if found:
        print(f"{sum(len(d['vulns']) for d in found)} known vulnerabilities: update the lock file")
        return 1
    print(f"no known vulnerabilities in the {len(checked)} packages checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
