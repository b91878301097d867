"""The start scripts, read as text and run in small pieces: every server of `make run` and `make
run-cluster` under advisor.supervise, the PostgreSQL password never on a command line, owner-only files,
the cluster's nginx configuration (no query string in its logs, a chat rate, no replica address)."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.support.stack import ROOT

SCRIPTS = ROOT / "scripts"
RUN_SH = (SCRIPTS / "run.sh").read_text()
CLUSTER_SH = (SCRIPTS / "cluster.sh").read_text()
SERVICES_SH = (SCRIPTS / "services.sh").read_text()


def test_every_server_of_make_run_is_supervised() -> None:
    starts = re.findall(r'^\s*supervise "([^"]+)" \S+ "([^"]+)"', RUN_SH, re.M)
    assert [name for name, _ in starts] == ["the action server", "the Rasa server", "the web page"]
    assert '"$PY" -m advisor.supervise' in RUN_SH
    assert not re.search(r"&\s*\n\s*pids\+=", RUN_SH.replace("-- \"$@\" &\n  pids+=", "")), \
        "a server started in the background without its supervisor"
    assert "wait -n -p gone" in RUN_SH and "stopping everything" in RUN_SH


def test_every_server_of_the_cluster_is_supervised() -> None:
    assert re.findall(r'^\s*supervised (\S+) "([^"]+)"', CLUSTER_SH, re.M) == [
        ('"rasa-$i"', "Rasa replica $i"), ("actions", "the action server"), ("web", "the web page"),
        ("prometheus", "Prometheus")]  # Prometheus only when the Debian package is installed
    assert "setsid \"$PY\" -m advisor.supervise" in CLUSTER_SH
    assert not re.search(r'setsid "\$PY" -m advisor run', CLUSTER_SH), "a server without its supervisor"
    assert "*.gave-up" in CLUSTER_SH


def test_the_postgres_password_never_reaches_a_command_line() -> None:
    psql_calls = [line for line in SERVICES_SH.splitlines() if "/psql\"" in line]
    assert psql_calls
    for line in psql_calls:
        assert '"$sql"' not in line.split("|")[-1], f"the SQL with the password is an argument: {line}"
        assert "cat \"$pw\"" not in line and "$(cat" not in line, line
    password_sql = re.search(r"local sql=\"(.*?)\"\n(.*)\n", SERVICES_SH, re.S)
    assert password_sql and "PASSWORD '$(cat \"$pw\")'" in password_sql.group(1)
    assert re.match(r"\s*printf '%s\\n' \"\$sql\" \| as_pg \"\$bin/psql\" .* -f - ", password_sql.group(2)), \
        "the SQL goes to psql on its standard input"
    assert "log_min_error_statement = 'panic'" in password_sql.group(1)


def test_the_scripts_make_owner_only_files() -> None:
    for text in (RUN_SH, CLUSTER_SH, SERVICES_SH):
        assert re.search(r"^umask 077", text, re.M)
    modes = re.findall(r"\bchmod ([0-7]{3,4}|[ugoa]*[-+=][rwxXst]*)", RUN_SH + CLUSTER_SH + SERVICES_SH)
    assert modes
    for mode in modes:  # nothing readable or writable by others; passing through a directory at most
        assert (re.fullmatch(r"[0-7]{3,4}", mode) and int(mode, 8) & 0o066 == 0) or mode == "o+x", mode


def _nginx_conf(tmp_path: Path, **env: str) -> str:
    out = subprocess.run(["bash", str(SCRIPTS / "cluster.sh"), "nginx-conf"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "CLUSTER_DIR": str(tmp_path), "CLUSTER_REPLICA_BASE_PORT": "6011", **env},
                         timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_nginx_configuration_logs_no_query_string_and_limits_the_chat(tmp_path: Path) -> None:
    conf = _nginx_conf(tmp_path)
    log_format = re.search(r"log_format advisor (.*?);", conf, re.S)
    assert log_format and "$uri" in log_format.group(1)
    for leaky in ("$request ", "$request\"", "$request_uri", "$args", "$query_string", "$arg_"):
        assert leaky not in log_format.group(1), leaky
    assert "access_log " in conf and re.search(r"access_log \S+ advisor;", conf)
    assert re.search(r"^\s*error_log \S+ crit;", conf, re.M), "error lines quote the request with its query string"
    assert "rate=30r/s" in conf and "burst=100 nodelay" in conf and "limit_req_status 429;" in conf
    assert "X-Advisor-Replica $advisor_replica" in conf and "$upstream_addr always" not in conf
    assert " r1;" not in conf
    assert '"~:6011$" r1;' in _nginx_conf(tmp_path, CLUSTER_DEBUG_HEADERS="1")
    assert "rate=3r/s" in _nginx_conf(tmp_path, CLUSTER_CHAT_RATE="3")
    bad = subprocess.run(["bash", str(SCRIPTS / "cluster.sh"), "nginx-conf"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "CLUSTER_DIR": str(tmp_path), "CLUSTER_CHAT_RATE": "fast"}, timeout=30)
    assert bad.returncode != 0 and "CLUSTER_CHAT_RATE" in bad.stderr
