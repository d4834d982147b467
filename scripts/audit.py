"""`make audit`: pip-audit over requirements.txt, saying plainly what could not be checked.

pip-audit needs its vulnerability data from the internet: the PyPI JSON API, per release
(https://pypi.org/pypi/<name>/<version>/json), or OSV (https://api.osv.dev) with `AUDIT_SERVICE=osv`.
A package whose data cannot be fetched is listed as NOT AUDITED; that is reported loudly but is not a
failure. The exit status is 1 only for a known vulnerability in a pinned package (2 when pip-audit
itself cannot run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Run pip-audit, summarise findings and skipped packages, exit 1 on findings."""
    service = os.environ.get("AUDIT_SERVICE", "pypi")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        # --no-deps --disable-pip: requirements.txt is a complete `pip freeze`, so nothing is resolved
        # or installed; pip-audit only looks each pin up.
        command = [sys.executable, "-m", "pip_audit", "-r", str(REPO_ROOT / "requirements.txt"), "--no-deps",
                   "--disable-pip", "--progress-spinner", "off", "-s", service, "-f", "json", "-o", str(report)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if not report.exists():
            print(f"audit: pip-audit could not run ({service}):\n{result.stderr.strip()[-2000:]}", file=sys.stderr)
            print("audit: it needs https access to its vulnerability service "
                  "(pypi.org per-release JSON, or api.osv.dev with AUDIT_SERVICE=osv).", file=sys.stderr)
            return 2
        data = json.loads(report.read_text())
    dependencies = data.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    findings = [(d, v) for d in dependencies for v in d.get("vulns", [])]
    audited = len(dependencies) - len(skipped)
    print(f"audit: {len(dependencies)} pinned packages, {audited} checked against {service}, "
          f"{len(skipped)} NOT AUDITED, {len(findings)} known vulnerabilities")
    if skipped:
        reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
        print(f"audit: NOT AUDITED ({len(skipped)}): {', '.join(d['name'] for d in skipped)}")
        print(f"audit: reason: {'; '.join(reasons)}. The vulnerability data could not be fetched from here; "
              "run `make audit` where pypi.org (or api.osv.dev, AUDIT_SERVICE=osv) is reachable.")
    for dependency, vuln in findings:
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
        print(f"VULNERABLE {dependency['name']}=={dependency['version']}: {vuln['id']} "
              f"(fixed in {fixes}) {vuln.get('description', '')[:200]}")
    if findings:
        print("audit: address each finding, or justify it in docs/security.md (Dependency audit).")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
