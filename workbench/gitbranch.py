"""Commits files to a branch of their own with git plumbing: a temporary index, `commit-tree`, `update-ref`.

The trainer's checkout (working tree, index, current branch) is never touched: annotations and saved test
stories go to `workbench/annotations`, reviewed and merged like code. Each commit is authored by the trainer
who made it (their workbench name, and `<name>@workbench.invalid` unless their user record has an e-mail);
the committer is the workbench.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, NamedTuple, Optional

from workbench.safe import visible

BRANCH = "workbench/annotations"
COMMITTER = {"GIT_COMMITTER_NAME": "Advisor workbench", "GIT_COMMITTER_EMAIL": "workbench@localhost"}
_SAFE_NAME = re.compile(r"[a-z][a-z0-9._-]{0,31}")  # workbench.users.NAME
_SAFE_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}")


class Author(NamedTuple):
    name: str
    email: str


WORKBENCH = Author("Advisor workbench", "workbench@localhost")


def author_env(author: Optional[Author]) -> Dict[str, str]:
    """GIT_AUTHOR_* for a trainer (a user name and an e-mail as workbench/users.py validated them; anything
    else would not be a workbench user and is refused), the workbench as committer."""
    who = author or WORKBENCH
    if author is not None and not (_SAFE_NAME.fullmatch(who.name) and _SAFE_EMAIL.fullmatch(who.email)):
        raise GitError("not a workbench user name or e-mail")
    return {"GIT_AUTHOR_NAME": who.name, "GIT_AUTHOR_EMAIL": who.email, **COMMITTER}


class GitError(RuntimeError):
    pass


def _git(repo: Path, *args: str, env: Optional[Dict[str, str]] = None, stdin: Optional[str] = None) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, **(env or {})},
        timeout=60,
    )
    if proc.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def is_repo(repo: Path) -> bool:
    try:
        _git(repo, "rev-parse", "--git-dir")
        return True
    except (GitError, OSError):
        return False


def base_commit(repo: Path, branch: str = BRANCH) -> str:
    """The branch's head, or the checkout's HEAD when the branch does not exist yet."""
    for ref in (f"refs/heads/{branch}", "HEAD"):
        try:
            return _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
        except GitError:
            continue
    raise GitError("the project has no commit yet: commit it once before annotating")


def read_file(repo: Path, path: str, branch: str = BRANCH) -> Optional[str]:
    """A file as it is on the annotations branch (or HEAD before the first annotation); None if absent."""
    try:
        return _git(repo, "show", f"{base_commit(repo, branch)}:{path}")
    except GitError:
        return None


def list_files(repo: Path, folder: str, branch: str = BRANCH) -> list[str]:
    out = _git(repo, "ls-tree", "-r", "--name-only", base_commit(repo, branch), "--", folder)
    return [line for line in out.splitlines() if line]


def commit_files(
    repo: Path, files: Dict[str, str], message: str, branch: str = BRANCH, author: Optional[Author] = None
) -> str:
    """Commits `files` (repo-relative path -> new content) on top of the branch as `author`; returns the new
    commit. The message is written on one line with control and bidi characters escaped (it may quote a chat user)."""
    who = author_env(author)
    parent = base_commit(repo, branch)
    with tempfile.TemporaryDirectory() as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index"), **who}
        _git(repo, "read-tree", parent, env=env)
        for path, content in files.items():
            blob = _git(repo, "hash-object", "-w", "--stdin", stdin=content).strip()
            _git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
        tree = _git(repo, "write-tree", env=env).strip()
    commit = _git(repo, "commit-tree", tree, "-p", parent, "-m", visible(message), env=who).strip()
    _git(repo, "update-ref", f"refs/heads/{branch}", commit, parent if _branch_exists(repo, branch) else "")
    return commit


def _branch_exists(repo: Path, branch: str) -> bool:
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
        return True
    except GitError:
        return False
