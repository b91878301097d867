"""Commits files to a branch of their own with git plumbing: a temporary index, `commit-tree`, `update-ref`.

The trainer's checkout (working tree, index, current branch) is never touched: annotations and saved test
stories go to `workbench/annotations`, reviewed and merged like code.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, Optional

from workbench.safe import visible

BRANCH = "workbench/annotations"
AUTHOR = {
    "GIT_AUTHOR_NAME": "Advisor workbench",
    "GIT_AUTHOR_EMAIL": "workbench@localhost",
    "GIT_COMMITTER_NAME": "Advisor workbench",
    "GIT_COMMITTER_EMAIL": "workbench@localhost",
}


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


def commit_files(repo: Path, files: Dict[str, str], message: str, branch: str = BRANCH) -> str:
    """Commits `files` (repo-relative path -> new content) on top of the branch; returns the new commit.
    The message is written on one line with control and bidi characters escaped (it may quote a chat user)."""
    parent = base_commit(repo, branch)
    with tempfile.TemporaryDirectory() as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index"), **AUTHOR}
        _git(repo, "read-tree", parent, env=env)
        for path, content in files.items():
            blob = _git(repo, "hash-object", "-w", "--stdin", stdin=content).strip()
            _git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
        tree = _git(repo, "write-tree", env=env).strip()
    commit = _git(repo, "commit-tree", tree, "-p", parent, "-m", visible(message), env=AUTHOR).strip()
    _git(repo, "update-ref", f"refs/heads/{branch}", commit, parent if _branch_exists(repo, branch) else "")
    return commit


def _branch_exists(repo: Path, branch: str) -> bool:
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
        return True
    except GitError:
        return False
