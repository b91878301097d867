"""The container files read as text (deploy/containers, docs/containers.md): what `make test-containers`
builds and runs is checked there for real; these catch a wrong edit in a second, without podman.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Dict, List

import yaml

from tests.support.stack import ROOT

DEPLOY = ROOT / "deploy" / "containers"
CONTAINERFILE = (DEPLOY / "Containerfile").read_text()
SERVICES = (DEPLOY / "services.Containerfile").read_text()
ENTRYPOINT = (DEPLOY / "entrypoint.sh").read_text()
COMPOSE = yaml.safe_load((DEPLOY / "compose.yml").read_text())
SECRET_WORDS = ("PASSWORD", "TOKEN", "SECRET", "KEY")


def _stages(text: str) -> Dict[str, str]:
    """stage name -> its instructions."""
    parts = re.split(r"^FROM\s+\S+\s+AS\s+(\S+)\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_the_base_is_a_build_argument_defaulting_to_the_official_images() -> None:
    assert re.search(r"^ARG BASE=python:3\.10-slim$", CONTAINERFILE, re.M)
    assert re.search(r"^ARG DEBIAN_BASE=debian:bookworm-slim$", SERVICES, re.M)


def test_the_venv_is_installed_by_setup_sh_from_the_hash_checked_locks() -> None:
    venv = _stages(CONTAINERFILE)["venv"]
    assert "scripts/setup.sh" in venv and "requirements.lock" in venv and "requirements-model.lock" in venv
    assert "pip install" not in venv, "a package installed outside the locks"
    assert not re.search(r"setup\.sh[^\n]*--test", venv), "the test tools in an image"


def test_every_runnable_image_is_non_root_with_a_healthcheck() -> None:
    stages = {**_stages(CONTAINERFILE), **_stages(SERVICES)}
    for target in ("rasa", "actions", "workbench", "page", "postgres", "redis", "nginx"):
        body = stages[target]
        assert re.search(r"^USER 10001:10001$", body, re.M), target
        assert re.search(r"^HEALTHCHECK .*CMD ", body, re.M), target
    assert re.search(r"^\s*rasa\) url=http://127\.0\.0\.1:\$RASA_PORT/ready ;;$", ENTRYPOINT, re.M), \
        "the Rasa image's health check is not its readiness"
    assert re.search(r'LABEL io\.github\.advisor\.model-id="\$\{MODEL_ID\}"', CONTAINERFILE)
    assert 'org.opencontainers.image.version="${VERSION}"' in CONTAINERFILE


def test_the_runtime_images_hold_no_build_tools_tests_or_other_models() -> None:
    stages = _stages(CONTAINERFILE)
    for target in ("runtime", "page", "python-app", "actions", "workbench", "rasa"):
        assert "apt-get install" not in stages[target], target
        assert not re.search(r"^COPY (tests|\.|models)/?\s", stages[target], re.M), target
    assert re.search(r"^COPY models/\$\{MODEL\} /model/$", stages["model"], re.M), "one model, named"
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".git", ".venv", "tests", "deploy/containers/secrets", "**/node_modules", ".run", "var"):
        assert path in ignored, path


def _services() -> Dict[str, dict]:
    return COMPOSE["services"]


def test_the_compose_layout() -> None:
    services = _services()
    assert set(services) == {"postgres", "redis", "actions", "rasa-1", "rasa-2", "nginx", "page", "workbench"}
    for name, service in services.items():
        assert service.get("init") is True, name
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)
    assert {n for n, s in services.items() if s.get("ports")} == {"nginx", "page", "workbench"}
    assert COMPOSE["volumes"].keys() == {"pgdata", "workbench", "replicas"}
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_compose_secrets_are_files_never_values() -> None:
    for name, service in _services().items():
        env: Dict[str, str] = service.get("environment", {})
        for var, value in env.items():
            if any(w in var for w in SECRET_WORDS):
                assert var.endswith("_FILE") and str(value).startswith("/run/secrets/"), (name, var)
                secret = str(value).rsplit("/", 1)[1]
                assert secret in service.get("secrets", []), (name, var, "its secret is not mounted")
    for secret in COMPOSE["secrets"].values():
        assert set(secret) == {"file"} and "${ADVISOR_SECRETS" in secret["file"]


def test_the_entrypoint_reads_every_secret_file_compose_gives() -> None:
    read_by_entrypoint = set(re.search(r"for name in ([^;]*?); do", ENTRYPOINT, re.S).group(1).replace("\\", " ").split())
    read_by_launcher = {"RASA_AUTH_TOKEN", "ACTION_SERVER_SECRET"}  # advisor/api_token.py, advisor/action_server.py
    for name, service in _services().items():
        if name in ("postgres", "redis"):
            continue  # service-entrypoint.sh
        for var in service.get("environment", {}):
            if var.endswith("_FILE"):
                assert var[: -len("_FILE")] in read_by_entrypoint | read_by_launcher, (name, var)


def _nginx_conf(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ROOT / "scripts" / "cluster.sh"), "nginx-conf"], cwd=ROOT, capture_output=True,
                          text=True, timeout=30, env={**os.environ, "CLUSTER_DIR": str(tmp_path), **env})


def test_nginx_in_a_container_gets_the_cluster_configuration_with_container_addresses(tmp_path: Path) -> None:
    nginx = _services()["nginx"]["environment"]
    run = _nginx_conf(tmp_path, CLUSTER_REPLICAS=nginx["CLUSTER_REPLICAS"], CLUSTER_UPSTREAM_HOST=nginx["CLUSTER_UPSTREAM_HOST"],
                      CLUSTER_REPLICA_BASE_PORT=nginx["CLUSTER_REPLICA_BASE_PORT"], CLUSTER_NGINX_LISTEN="0.0.0.0:8080")
    assert run.returncode == 0, run.stderr
    servers: List[str] = re.findall(r"^\s*server (\S+) max_fails", run.stdout, re.M)
    ports = [str(_services()[f"rasa-{i}"]["environment"]["RASA_PORT"]) for i in (1, 2)]
    assert servers == [f"rasa-1:{ports[0]}", f"rasa-2:{ports[1]}"]
    assert "listen 0.0.0.0:8080;" in run.stdout and "hash $advisor_route consistent;" in run.stdout
    # without the new variables: exactly what `make run-cluster` had
    plain = _nginx_conf(tmp_path, CLUSTER_REPLICA_BASE_PORT="6011", RASA_PORT="6005").stdout
    assert re.findall(r"^\s*server (\S+) max_fails", plain, re.M) == ["127.0.0.1:6011", "127.0.0.1:6012"]
    assert "listen 127.0.0.1:6005;" in plain


def test_nginx_refuses_an_upstream_host_that_is_not_a_name(tmp_path: Path) -> None:
    for bad in ("a;b", "x y", "rasa-%s", "h%d%d"):
        run = _nginx_conf(tmp_path, CLUSTER_UPSTREAM_HOST=bad)
        assert run.returncode != 0 and "CLUSTER_UPSTREAM_HOST" in run.stderr, bad
    assert _nginx_conf(tmp_path, CLUSTER_NGINX_LISTEN="0.0.0.0:80; evil").returncode != 0


def test_nginx_takes_the_address_each_replica_wrote_at_its_start(tmp_path: Path) -> None:
    """A replica started again gets a new address, and the network's DNS service may answer slowly for a name
    that was gone (CI: nginx still knew rasa-1's old address 41 s after its restart). So each replica writes
    its address into a volume shared with nginx, named by its port, and nginx's watch loop reads it first;
    what is not an IPv4 address is ignored, and a name is looked up as before."""
    for service in ("rasa-1", "rasa-2"):
        assert "replicas:/var/lib/advisor-replicas" in _services()[service]["volumes"], service
    assert "replicas:/var/lib/advisor-replicas:ro" in _services()["nginx"]["volumes"]
    assert "replicas" in COMPOSE["volumes"]
    assert "install -d -o 10001 -g 10001 -m 700 /var/lib/advisor-replicas" in _stages(CONTAINERFILE)["rasa"]
    assert "/var/lib/advisor-replicas" in _stages(SERVICES)["nginx"]
    assert re.search(r'"\$replicas/\.\$RASA_PORT\.new" && mv -f "\$replicas/\.\$RASA_PORT\.new" "\$replicas/\$RASA_PORT"',
                     ENTRYPOINT)
    (tmp_path / "5011").write_text("10.89.0.11\n")
    (tmp_path / "5012").write_text("10.89.0.7; evil\n")
    env = {"PATH": os.environ["PATH"], "SERVICE": "nginx", "ADVISOR_REPLICAS_DIR": str(tmp_path),
           "CLUSTER_REPLICAS": "3", "CLUSTER_REPLICA_BASE_PORT": "5011",
           "CLUSTER_UPSTREAM_HOST": "advisor-no-such-host-%d.invalid"}
    run = subprocess.run(["bash", str(DEPLOY / "service-entrypoint.sh"), "addresses"], capture_output=True, text=True,
                         timeout=30, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["advisor-no-such-host-1.invalid=10.89.0.11", "advisor-no-such-host-2.invalid=",
                                  "advisor-no-such-host-3.invalid="]
