"""Trainers by name, as pure modules: the audit log (append-only JSON lines with a hash chain, conversations as
pseudonyms, details that are never text, several writing processes) and git commits authored by the trainer."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from workbench import audit, gitbranch
from workbench.audit import GENESIS, AuditError, AuditLog
from workbench.gitbranch import Author, GitError


def lines(log: AuditLog) -> List[str]:
    return log.path.read_text().splitlines()


def write(log: AuditLog, rows: List[str]) -> None:
    log.path.write_text("".join(r + "\n" for r in rows))


def filled(tmp_path: Path, n: int = 5) -> AuditLog:
    log = AuditLog(tmp_path / "state")
    for i in range(n):
        log.record("anna" if i % 2 else "ben", "review", f"rest:user{i}", reviewed=True, note_chars=i)
    return log


# --- the chain ---------------------------------------------------------------------------------------------
def test_entries_chain_and_are_private(tmp_path: Path) -> None:
    log = filled(tmp_path)
    verdict = log.verify()
    assert verdict.ok and verdict.count == 5
    entries = log.entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev == GENESIS and all(b.prev == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert verdict.head == entries[-1].hash
    assert (entries[1].trainer, entries[1].action, entries[1].detail) == ("anna", "review", {"reviewed": True, "note_chars": 1})
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert stat.S_IMODE((log.state / audit.KEY_NAME).stat().st_mode) == 0o600
    assert stat.S_IMODE(log.state.stat().st_mode) == 0o700


def test_a_conversation_is_a_pseudonym_resolvable_with_its_id(tmp_path: Path) -> None:
    log = filled(tmp_path, 1)
    ref = log.entries()[0].conversation
    assert ref == log.conversation_ref("rest:user0") and ref != log.conversation_ref("rest:user1")
    assert ref is not None and ref.startswith("c-") and len(ref) == 18
    assert "user0" not in log.path.read_text()
    # Another folder, another key: the same id gets another pseudonym (no dictionary across installs).
    assert AuditLog(tmp_path / "other").conversation_ref("rest:user0") != ref


@pytest.mark.parametrize("tamper", ["edit", "remove", "reorder", "insert", "rehash", "garbage"])
def test_tampering_breaks_the_chain_where_it_happened(tmp_path: Path, tamper: str) -> None:
    log = filled(tmp_path)
    rows = lines(log)
    at = 3  # the 1-based line where the chain must break
    if tamper == "edit":  # the trainer of entry 3 changed
        data = json.loads(rows[2])
        data["trainer"] = "mallory"
        rows[2] = json.dumps(data, sort_keys=True, separators=(",", ":"))
    elif tamper == "remove":
        del rows[2]
    elif tamper == "reorder":
        rows[2], rows[3] = rows[3], rows[2]
    elif tamper == "insert":  # a forged entry with a correct hash of its own, put in the middle
        forged = json.loads(rows[1])
        forged.pop("hash")
        forged.update(seq=3, prev=json.loads(rows[1])["hash"], action="dismiss")
        rows.insert(2, json.dumps({**forged, "hash": audit.chain_hash(forged)}, sort_keys=True, separators=(",", ":")))
        at = 4  # it fits after line 2; line 4 (the real third entry) then does not
    elif tamper == "rehash":  # edited and its own hash recomputed: the next line no longer follows it
        data = json.loads(rows[2])
        data.pop("hash")
        data["action"] = "nothing"
        rows[2] = json.dumps({**data, "hash": audit.chain_hash(data)}, sort_keys=True, separators=(",", ":"))
        at = 4
    else:
        rows[2] = "{not json"
    write(log, rows)
    verdict = log.verify()
    assert not verdict.ok and verdict.broken_at == at and verdict.count == at - 1, verdict


def test_appends_after_a_cached_verdict_are_verified_again(tmp_path: Path) -> None:
    log = filled(tmp_path, 2)
    assert log.verify().count == 2
    log.record("anna", "dismiss", None, messages=2)
    assert log.verify().count == 3 and log.verify().ok


def _writer(state: str, who: str, n: int) -> None:
    log = AuditLog(Path(state))
    for i in range(n):
        log.record(who, "annotate", f"rest:{who}{i}", messages=1)


def test_several_processes_append_without_breaking_the_chain(tmp_path: Path) -> None:
    state = tmp_path / "state"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(state), who, 25)) for who in ("anna", "ben", "cleo", "dan")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    verdict = AuditLog(state).verify()
    assert verdict.ok and verdict.count == 100, verdict
    assert {e.trainer for e in AuditLog(state).entries()} == {"anna", "ben", "cleo", "dan"}


def test_the_log_is_only_ever_opened_for_appending() -> None:
    """No code path rewrites it: the only writing open() of the log in audit.py has O_APPEND and no O_TRUNC."""
    source = Path(audit.__file__).read_text()
    assert "O_TRUNC" not in source and "write_text" not in source
    assert source.count("os.open(self.path") == 1 and "os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT" in source


# --- what an entry may hold ------------------------------------------------------------------------------
def test_details_are_ids_and_counts_never_text(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    with pytest.raises(AuditError, match="never holds text"):
        log.record("anna", "annotate", "rest:a", example="x" * 200)
    with pytest.raises(AuditError, match="only strings"):
        log.record("anna", "annotate", "rest:a", nested={"text": "hello"})
    with pytest.raises(AuditError, match="at most"):
        log.record("anna", "annotate", "rest:a", files=["a"] * 51)
    with pytest.raises(AuditError, match="bad detail name"):
        log.record("anna", "annotate", "rest:a", **{"Bad Key": 1})
    for trainer in ("Anna", "anna smith", "x" * 40, ""):
        with pytest.raises(AuditError, match="bad trainer"):
            log.record(trainer, "review")
    for action in ("", "Review", "review\nforged", "x" * 41):
        with pytest.raises(AuditError, match="bad action"):
            log.record("anna", action)
    entry = log.record(None, "delete", "rest:a", stories=["tests/stories/a.yml"], file="a\nb\u202e")
    assert entry.trainer is None and entry.detail == {"stories": ["tests/stories/a.yml"], "file": "a\\nb\\u202e"}
    assert log.verify().ok and log.verify().count == 1


def test_pages_newest_first_and_by_trainer(tmp_path: Path) -> None:
    log = filled(tmp_path, 7)
    first, total = log.page(1, 3)
    assert total == 7 and [e.seq for e in first] == [7, 6, 5]
    assert [e.seq for e in log.page(3, 3)[0]] == [1]
    assert log.page(9, 3)[0] == []
    anna, n = log.page(1, 10, trainer="anna")
    assert n == 3 and {e.trainer for e in anna} == {"anna"}


def test_module_level_record_writes_where_configured(tmp_path: Path) -> None:
    before = audit._default
    try:
        audit.configure(tmp_path / "wb")
        audit.record("anna", "export", conversation_id="web:x", events=4)
        entry = AuditLog(tmp_path / "wb").entries()[0]
        assert (entry.action, entry.detail, entry.conversation) == ("export", {"events": 4}, audit.conversation_ref("web:x"))
    finally:
        audit._default = before


# --- git authors -----------------------------------------------------------------------------------------
def test_commits_are_authored_by_the_trainer(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x"}
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@x")
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True, env=env)
    (tmp_path / "a.txt").write_text("a\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(tmp_path), "commit", "-q", "-m", "init"], check=True, env=env)
    gitbranch.commit_files(tmp_path, {"b.txt": "b\n"}, "by anna", author=Author("anna", "anna@workbench.invalid"))
    gitbranch.commit_files(tmp_path, {"c.txt": "c\n"}, "by ben", author=Author("ben", "ben@example.org"))
    log = subprocess.run(["git", "-C", str(tmp_path), "log", "--format=%an <%ae> | %cn <%ce>", gitbranch.BRANCH],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    assert log[:2] == ["ben <ben@example.org> | Advisor workbench <workbench@localhost>",
                       "anna <anna@workbench.invalid> | Advisor workbench <workbench@localhost>"]
    for bad in (Author("Anna Smith", "a@b.c"), Author("anna", "a@b\n"), Author("anna", "<a@b.c>")):
        with pytest.raises(GitError):
            gitbranch.commit_files(tmp_path, {"d.txt": "d\n"}, "x", author=bad)


def test_make_targets_call_the_user_command() -> None:
    root = Path(__file__).resolve().parents[2]

    def dry(*args: str) -> str:
        return subprocess.run(["make", "-n", "-s", *args], cwd=root, check=True, capture_output=True, text=True).stdout

    assert 'scripts/workbench.sh user "anna"' in dry("workbench-user", "NAME=anna")
    assert dry("workbench-user", "NAME=anna", "REVOKE=1").strip().endswith('user "anna"  --revoke')
    assert "--email \"a@b.org\"" in dry("workbench-user", "NAME=anna", "EMAIL=a@b.org", "LINK=1")
    assert "--link" in dry("workbench-user", "NAME=anna", "LINK=1")
    missing = subprocess.run(["make", "-s", "workbench-user"], cwd=root, capture_output=True, text=True)
    assert missing.returncode != 0 and "NAME=<trainer>" in missing.stderr


def test_the_audit_command_checks_the_chain(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    project = tmp_path / "project"
    project.mkdir()
    (project / "domain.yml").write_text("version: '3.1'\n")
    log = AuditLog(project / ".workbench")
    for i in range(3):
        log.record("anna", "dismiss", f"rest:u{i}", messages=1)

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "workbench", "audit", "--root", str(project)], cwd=root,
                              env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=60)

    ok = run()
    assert ok.returncode == 0 and "hash chain intact: 3 entries" in ok.stdout and ok.stdout.count("dismiss") == 3
    assert "rest:u0" not in ok.stdout
    rows = lines(log)
    rows[1] = rows[1].replace('"messages":1', '"messages":9')
    write(log, rows)
    broken = run()
    assert broken.returncode == 1 and "BROKEN at line 2" in broken.stderr
