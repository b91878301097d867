"""The workbench's access rules and safe output as pure functions: the token file, one-time login codes,
sessions, the Host / Origin allow-list, flash messages from a fixed table, sender ids shown and committed
safely, story file names that never collide, and job logs that are private and closed."""

from __future__ import annotations

import gc
import os
import stat
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, List

import pytest

from workbench import access, stories
from workbench.access import Access, TokenProblem, allowed_hosts
from workbench.safe import id_slug, visible
from workbench.users import CODE_SECONDS, SERVICE, Identity, UserProblem, Users, digest, name_from_login
from workbench.web import Jobs, flash_message

TOKEN = "t" * 40
PORT = 8001


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def make(clock: Clock | None = None, hosts: str = "", state: Path | None = None) -> Access:
    """An Access over a users store in a fresh folder, with one trainer `anna` whose token is TOKEN."""
    clock = clock or Clock()
    users = Users((state or Path(tempfile.mkdtemp())) / "access.db", clock)
    users.add("anna")
    users.register("anna", TOKEN)
    return Access(users, allowed_hosts(PORT, hosts), clock)


def anna(a: Access) -> Identity:
    identity = a.users.by_token(TOKEN)
    assert identity is not None and identity.name == "anna"
    return identity


# --- the first trainer's token file and WORKBENCH_TOKEN ----------------------------------------------------
def test_first_start_generates_the_first_trainers_token_owner_only(tmp_path: Path) -> None:
    users = Users(tmp_path / ".workbench" / "access.db")
    holder = access.bootstrap(tmp_path, {"USER": "Kim"}, users)
    path = tmp_path / ".run" / "workbench-token"
    token = path.read_text().strip()
    assert len(token) >= 32 and holder is not None and holder.name == "kim" and users.by_token(token) == holder
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / ".workbench" / "access.db").stat().st_mode) == 0o600
    assert token not in (tmp_path / ".workbench" / "access.db").read_bytes().decode("latin-1"), "only its hash is kept"
    assert access.bootstrap(tmp_path, {"USER": "kim"}, users) == holder, "an existing token is kept"
    assert path.read_text().strip() == token
    path.chmod(0o640)
    with pytest.raises(TokenProblem, match="chmod 600"):
        access.bootstrap(tmp_path, {}, users)
    path.chmod(0o600)
    # Every trainer revoked: the next start makes a new first token (the old one stays dead).
    users.revoke("kim")
    again = access.bootstrap(tmp_path, {"USER": "kim"}, users)
    assert again is not None and path.read_text().strip() != token and users.by_token(token) is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Other trainers, the file's token revoked: no link for it, and no new file token.
    users.add("lee")
    users.issue("lee")
    users.revoke("kim")
    assert access.bootstrap(tmp_path, {}, users) is None
    # A login name that is no valid user name (or is the service user's) gives `admin`.
    assert name_from_login("") == "admin" and name_from_login("service") == "admin" and name_from_login("A.B") == "a.b"


def test_workbench_token_is_the_service_users(tmp_path: Path) -> None:
    users = Users(tmp_path / "access.db")
    env = {"WORKBENCH_TOKEN": "e" * 20}
    access.bootstrap(tmp_path, env, users)
    service = users.by_token("e" * 20)
    assert service is not None and service.name == SERVICE and service.kind == "service"
    assert users.has_active_trainer(), "a first trainer is made beside it"
    access.bootstrap(tmp_path, {"WORKBENCH_TOKEN": "f" * 20}, users)
    assert users.by_token("e" * 20) is None and users.by_token("f" * 20) is not None, "a new value replaces the old"
    access.bootstrap(tmp_path, {}, users)
    assert users.by_token("f" * 20) is None, "unset: no longer accepted"
    access.bootstrap(tmp_path, {"WORKBENCH_TOKEN": "f" * 20}, users)
    assert users.by_token("f" * 20) is not None, "set again: accepted again"
    users.revoke(SERVICE)
    with pytest.raises(TokenProblem, match="was revoked"):
        access.bootstrap(tmp_path, {"WORKBENCH_TOKEN": "f" * 20}, users)
    with pytest.raises(TokenProblem, match="shorter than 16"):
        access.bootstrap(tmp_path, {"WORKBENCH_TOKEN": "too-short"}, users)
    with pytest.raises(UserProblem):
        users.add(SERVICE)  # a trainer cannot take the service user's name


# --- signing in -----------------------------------------------------------------------------------------
def test_login_code_works_once_and_expires(tmp_path: Path) -> None:
    clock = Clock()
    a = make(clock, state=tmp_path)
    code = a.new_code(anna(a))
    assert a.redeem(code) == anna(a) and a.redeem(code) is None, "a code is spent on first use"
    assert a.redeem("") is None and a.redeem(None) is None and a.redeem("guess") is None
    late = a.new_code(anna(a))
    clock.now += CODE_SECONDS + 1
    assert a.redeem(late) is None
    # Shared through the store: a code made by another process (another Users on the same file) works here.
    other = Users(tmp_path / "access.db", clock)
    assert a.redeem(other.new_code(anna(a))) == anna(a)
    assert code not in (tmp_path / "access.db").read_bytes().decode("latin-1")


def test_sessions_have_their_own_csrf_secret_expire_and_carry_the_trainer() -> None:
    clock = Clock()
    a = make(clock)
    one, two = a.new_session(anna(a)), a.new_session(anna(a))
    assert one.id != two.id and one.csrf != two.csrf and len(one.csrf) >= 32
    assert one.trainer == "anna" and one.identity.git_email == "anna@workbench.invalid"
    assert a.session(one.id) is one and a.session("nope") is None and a.session(None) is None
    a.end(one)
    assert a.session(one.id) is None
    clock.now += access.SESSION_SECONDS + 1
    assert a.session(two.id) is None


def test_bearer_and_form_token() -> None:
    a = make()
    for good in (f"Bearer {TOKEN}", f"bearer {TOKEN}"):
        session = a.bearer(good)
        assert session is not None and session.trainer == "anna" and session.bearer
    for bad in (None, "", f"Basic {TOKEN}", "Bearer nope", f"Bearer {TOKEN}x", "Bearer "):
        assert a.bearer(bad) is None
    assert a.token_ok(TOKEN) == anna(a)
    assert a.token_ok("") is None and a.token_ok(None) is None and a.token_ok("é" * 40) is None


def test_a_revoked_token_its_sessions_and_its_login_links_are_refused_at_once(tmp_path: Path) -> None:
    a = make(state=tmp_path)
    session = a.new_session(anna(a))
    code = a.new_code(anna(a))
    assert a.session(session.id) is session
    # Revoked by another process (`make workbench-user NAME=anna REVOKE=1`) on the same store.
    assert Users(tmp_path / "access.db").revoke("anna") == 1
    assert a.bearer(f"Bearer {TOKEN}") is None and a.token_ok(TOKEN) is None
    assert a.session(session.id) is None, "the session ends with its token"
    assert a.redeem(code) is None, "a pending login link dies with the token"
    with pytest.raises(UserProblem, match="revoked"):
        a.users.register("anna", TOKEN)  # a revoked token never comes back
    # A new token for anna works; a second new one replaces it (and ends its sessions).
    first = a.users.issue("anna")
    s1 = a.new_session(a.users.by_token(first))  # type: ignore[arg-type]
    second = a.users.issue("anna")
    assert a.users.by_token(first) is None and a.session(s1.id) is None and a.users.by_token(second) is not None
    assert [(u.name, u.active_tokens, u.revoked_tokens) for u in a.users.list()] == [("anna", 1, 2)]


def test_user_names_and_emails_are_checked(tmp_path: Path) -> None:
    users = Users(tmp_path / "access.db")
    for bad in ("", "Anna", "anna smith", "1anna", "a" * 33, "anna\n", "anna<x>", "ánna", "../x"):
        with pytest.raises(UserProblem):
            users.add(bad)
    with pytest.raises(UserProblem):
        users.add("anna", email="not an address")
    assert users.add("anna", email="anna@example.org") and not users.add("anna")
    token = users.issue("anna")
    identity = users.by_token(token)
    assert identity is not None and identity.git_email == "anna@example.org"
    with pytest.raises(UserProblem, match="no user"):
        users.issue("nobody")
    with pytest.raises(UserProblem, match="no user"):
        users.revoke("nobody")
    assert digest(token) != digest(token + "x") and len(digest(token)) == 64


# --- where a request is addressed and where it comes from -----------------------------------------------
def test_host_allow_list() -> None:
    a = make()
    for ok in ("127.0.0.1:8001", "localhost:8001", "LOCALHOST:8001", "[::1]:8001"):
        assert a.host_ok(ok), ok
    for bad in ("rebind.example:8001", "attacker.example:8001", "127.0.0.1:8000", "127.0.0.1", "", None):
        assert not a.host_ok(bad), bad
    extra = make(hosts="wb.example.org  wb.lan:8443")
    assert extra.host_ok("wb.example.org") and extra.host_ok("wb.lan:8443") and not extra.host_ok("wb.lan")
    assert "192.168.1.5:8001" in allowed_hosts(PORT, bind="192.168.1.5")
    assert allowed_hosts(PORT, bind="0.0.0.0") == allowed_hosts(PORT)


def test_origin_of_state_changing_requests() -> None:
    a = make()
    assert a.origin_ok("http://127.0.0.1:8001", None)
    assert a.origin_ok("http://localhost:8001", "http://localhost:8001/inbox")
    assert not a.origin_ok("null", None), "Origin: null (sandboxed frames, file: pages) is refused"
    assert not a.origin_ok("http://attacker.example:8001", None)
    assert not a.origin_ok("http://127.0.0.1:8000", None)
    assert a.origin_ok(None, None), "no Origin and no Referer: not a browser's cross-site request"
    assert a.origin_ok(None, "http://127.0.0.1:8001/inbox?x=1")
    assert not a.origin_ok(None, "http://rebind.example:8001/")
    assert make(hosts="wb.example.org").origin_ok("https://wb.example.org", None)


# --- messages and ids -------------------------------------------------------------------------------------
def test_flash_comes_from_the_fixed_table_only() -> None:
    assert flash_message({"flash": "<b>pwned</b>"}, None) == ("", False)
    assert flash_message({"flash": "Your account is locked, call 555"}, None) == ("", False)
    assert flash_message({"flash": "review_saved"}, None) == ("Review saved.", True)
    assert flash_message({"flash": "dismissed", "n": "3"}, None) == ("Dismissed 3 message(s).", True)
    assert flash_message({"flash": "dismissed", "n": "<b>3</b>"}, None) == ("", False)
    ok = {"flash": "story_saved", "file": "tests/stories/workbench_rest_a_0123456789.yml", "commit": "0123abcd"}
    assert flash_message(ok, None)[0] == (
        "Saved as tests/stories/workbench_rest_a_0123456789.yml on workbench/annotations (commit 0123abcd)."
    )
    assert flash_message({**ok, "file": "tests/stories/<x>.yml"}, None) == ("", False)
    a = make()
    session = a.new_session(anna(a))
    assert flash_message({"flash": "failed"}, session) == ("", False)
    session.message = "Not added: already a training example"
    assert flash_message({"flash": "failed"}, session) == ("Not added: already a training example", False)
    assert flash_message({"flash": "failed"}, session) == ("", False), "shown once"


def test_visible_escapes_control_and_bidi_characters() -> None:
    evil = "rest:bob\nSigned-off-by: x\r\u202etxt.exe\u2066\u200b\x1b[31m"
    shown = visible(evil)
    assert shown == "rest:bob\\nSigned-off-by: x\\r\\u202etxt.exe\\u2066\\u200b\\u001b[31m"
    assert shown.isprintable()
    assert visible("plain rest:alice, ça va ?") == "plain rest:alice, ça va ?"
    assert visible(shown) == shown


def test_story_file_names_never_collide() -> None:
    names = {stories.file_name(cid) for cid in ("rest:a b", "rest:a_b", "rest:a/b", "rest:a\u202eb", "rest:a\nb")}
    assert len(names) == 5
    for name in names:
        assert name.startswith("tests/stories/workbench_rest_a_") and name.isascii() and name.isprintable()
    assert id_slug("rest:a b") == id_slug("rest:a b"), "stable"
    assert "\u202e" not in id_slug("\u202e") and id_slug("") != id_slug("_")


def test_commit_message_never_holds_raw_control_or_bidi(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@l"}
    env.update({"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@l"})

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True, text=True, env=env).stdout

    (tmp_path / "README").write_text("x\n")
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "init")
    cid = "rest:eve\n\nSigned-off-by: The Lead <lead@example.org>\u202e"
    story = 'version: "3.1"\nstories:\n- story: s\n  steps:\n  - intent: greet\n  - action: utter_greet\n'
    saved = stories.save_story(tmp_path, cid, story)
    message = git("log", "-1", "--format=%B", "workbench/annotations").rstrip("\n")
    assert "\n" not in message and "\u202e" not in message and "\r" not in message
    assert message.startswith("Workbench: test story from conversation rest:eve\\n\\nSigned-off-by")
    assert "Signed-off-by" not in git("log", "-1", "--format=%(trailers)", "workbench/annotations")
    assert saved["file"].isascii() and saved["file"] == stories.file_name(cid)


# --- job logs -----------------------------------------------------------------------------------------------
def _open_paths() -> List[str]:
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            out.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass
    return out


def test_job_log_is_private_and_closed_by_the_server(tmp_path: Path) -> None:
    state = tmp_path / "state"
    jobs = Jobs(state)
    # `python -m workbench lint --root <nowhere>` exits at once (no domain.yml there) after writing its log.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        assert jobs.start("lint", ["--root", str(tmp_path / "nowhere"), "lint"], tmp_path)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)], "a log file left for the GC to close"
    log = state / "lint.log"
    assert str(log) not in _open_paths(), "the server keeps no descriptor of the child's log"
    proc: Any = jobs.procs["lint"][0]
    proc.wait(timeout=60)
    assert "not the advisor's project folder" in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600 and stat.S_IMODE(state.stat().st_mode) == 0o700
    log.chmod(0o644)  # a log from an older version is made private when rewritten
    assert jobs.start("lint", ["--root", str(tmp_path / "nowhere"), "lint"], tmp_path)
    jobs.procs["lint"][0].wait(timeout=60)
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    deadline = time.time() + 5
    while time.time() < deadline and str(log) in _open_paths():
        time.sleep(0.1)
    assert str(log) not in _open_paths()
