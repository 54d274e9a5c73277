"""Mutation check: deliberate breakages the tests must catch. `make mutants` (not part of `make test`).

Each mutant replaces one exact snippet of one file, in a temporary copy of the repository, and runs the
listed test files there. A mutant is *killed* when those tests fail, *survives* when they pass (a test
is missing or too weak), and is an *error* when its snippet is no longer in the file (the code moved:
update the snippet below). Exit status 0 only when every mutant was killed.

    .venv/bin/python -m tests.mutants            # all of them
    .venv/bin/python -m tests.mutants lockout    # the ones whose name contains "lockout"
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", ".git", "__pycache__", ".pytest_cache", ".hypothesis"}
# In data/ only the reference data the code reads is copied, not a portal's database, keys or uploads.
DATA_KEEP = {"reference"}
TIMEOUT_S = 1800

# name, file, the exact original snippet, what replaces it, the test files that must fail.
MUTANTS: list[dict] = [
    dict(name="lockout: sign-in never locks after failures",
         file="lib/staff/signin.py",
         original="    return auth.is_locked(failures)\n",
         replacement="    return False\n",
         tests=["tests/staff/test_signin.py"]),
    dict(name="aadhaar: the number as typed is stored in a column",
         file="lib/citizen/filing.py",
         original='"ppp_id": proof.ppp_id,',
         replacement='"ppp_id": form.id_number,',
         tests=["tests/citizen/test_filing.py"]),
    dict(name="scope: an officer sees every department's complaints",
         file="lib/db/scope.py",
         original="    if user.role == Role.DC:\n",
         replacement="    if user.role in (Role.DC, Role.OFFICER):\n",
         tests=["tests/casework/test_queue.py", "tests/casework/test_casework.py"]),
    dict(name="scope: a direction to the department is not enough to see a complaint",
         file="lib/db/scope.py",
         original="        return (\"(c.department_code = ? OR c.id IN (SELECT d.complaint_id FROM directions d\"\n"
                  "                \" WHERE d.department_code = ?))\",\n"
                  "                [user.department_code, user.department_code])\n",
         replacement="        return \"c.department_code = ?\", [user.department_code]\n",
         tests=["tests/casework/test_queue.py", "tests/casework/test_casework.py"]),
    dict(name="scope: analysts and admins see complaint rows",
         file="lib/db/scope.py",
         original='    return "FALSE", []\n',
         replacement='    return "TRUE", []\n',
         tests=["tests/casework/test_queue.py", "tests/casework/test_casework.py", "tests/staff/test_authorisation.py"]),
    dict(name="analytics: counts of 1 to 4 are shown, not \"<5\"",
         file="lib/analytics/suppression.py",
         original="    return count is not None and 0 < int(count) < SMALL_GROUP\n",
         replacement="    return False\n",
         tests=["tests/analytics/test_analytics.py", "tests/analytics/test_charts.py"]),
    dict(name="analytics: a count of 4 is shown",
         file="lib/analytics/suppression.py",
         original="    return count is not None and 0 < int(count) < SMALL_GROUP\n",
         replacement="    return count is not None and 0 < int(count) < SMALL_GROUP - 1\n",
         tests=["tests/analytics/test_analytics.py", "tests/analytics/test_charts.py"]),
    dict(name="track page: wrong guesses are never slowed down",
         file="lib/citizen/track_guard.py",
         original="    if latest is None or failures < free:\n",
         replacement="    if True:\n",
         tests=["tests/citizen/test_tracking.py"]),
    dict(name="logout: a revoked cookie still signs in",
         file="lib/staff/signin.py",
         original="        return users_db.is_token_revoked(cur, username, expires)\n",
         replacement="        return False\n",
         tests=["tests/staff/test_signin.py", "tests/staff/test_logout.py"]),
    dict(name="logout: the cookie is not revoked",
         file="lib/ui/signin.py",
         original="        signin.revoke(ui.connection(), user.username, expires)\n",
         replacement="        pass\n",
         tests=["tests/staff/test_logout.py"]),
]


def copy_repository(into: Path) -> Path:
    """The working tree without .venv, .git and the portal's data (data/reference is kept: the code
    reads it); .venv is linked, not copied."""
    target = into / "repo"

    def ignore(folder, names):
        in_data = Path(folder).resolve() == (ROOT / "data").resolve()
        return [n for n in names if n in SKIP or (in_data and n not in DATA_KEEP)]

    shutil.copytree(ROOT, target, ignore=ignore)
    venv = ROOT / ".venv"
    if venv.exists():
        (target / ".venv").symlink_to(venv.resolve(), target_is_directory=True)
    return target


def run_mutant(repo: Path, mutant: dict) -> tuple[str, str]:
    """(outcome, detail): killed, survived, or error."""
    path = repo / mutant["file"]
    if not path.exists():
        return "error", f"file not found: {mutant['file']}"
    source = path.read_text()
    count = source.count(mutant["original"])
    if count != 1:
        return "error", (f"snippet not found in {mutant['file']}" if count == 0
                         else f"snippet found {count} times in {mutant['file']} (must be exactly once)")
    missing = [t for t in mutant["tests"] if not (repo / t).exists()]
    if missing:
        return "error", f"test file not found: {', '.join(missing)}"
    path.write_text(source.replace(mutant["original"], mutant["replacement"]))
    try:
        python = repo / ".venv" / "bin" / "python"
        started = time.monotonic()
        try:
            result = subprocess.run([str(python if python.exists() else sys.executable), "-m", "pytest", "-q", "-x",
                                     "-p", "no:cacheprovider", *mutant["tests"]],
                                    cwd=repo, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return "error", f"tests did not finish in {TIMEOUT_S} s"
        took = f"{time.monotonic() - started:.0f} s"
        last = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
        if result.returncode == 1 and " error" in last and " failed" not in last:
            # An error in setup (a fixture, an import) is not the mutant being caught.
            return "error", f"tests errored, none failed: {last}"
        if result.returncode == 1:
            return "killed", f"{last} ({took})"
        if result.returncode == 0:
            return "survived", f"{last} ({took})"
        return "error", f"pytest exit {result.returncode}: {last}"
    finally:
        path.write_text(source)


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTANTS if not argv or any(a.lower() in m["name"].lower() for a in argv)]
    totals = {"killed": 0, "survived": 0, "error": 0}
    with tempfile.TemporaryDirectory(prefix="esachivalaya-mutants-") as tmp:
        repo = copy_repository(Path(tmp))
        for number, mutant in enumerate(chosen, 1):
            outcome, detail = run_mutant(repo, mutant)
            totals[outcome] += 1
            print(f"[{number}/{len(chosen)}] {outcome.upper():8} {mutant['name']}  ({mutant['file']}): {detail}",
                  flush=True)
    print(f"\n{totals['killed']} killed, {totals['survived']} survived, {totals['error']} errors"
          f" of {len(chosen)} mutants")
    return 0 if totals["killed"] == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
