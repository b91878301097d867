"""Prometheus for `make run-cluster`: the scrape configuration of every Rasa replica and the action server,
and the web configuration that puts a password on Prometheus's own page and API.

    python -m advisor.prometheus_config --dir DIR --replicas 5011,5012 --actions 5055

writes, owner-only, into DIR: ``prometheus.yml`` (scrapes ``/metrics`` every 15 s with the API token /
the action-server secret as ``Authorization: Bearer``, read from files: ``credentials_file``), ``api-token``
and ``action-secret`` (copies, only when the token / secret come from the environment; otherwise the
configuration names .run/api-token and the action-secret file), ``web.yml`` (basic auth, bcrypt) and
``password`` (the generated password of the user ``advisor``). scripts/cluster.sh runs it, and starts
Prometheus when the Debian package is installed. docs/metrics.md.
"""
from __future__ import annotations

import argparse
import os
import secrets
import sys
import warnings
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import yaml

from advisor import action_server, api_token

USER = "advisor"


def scrape_config(replica_ports: Sequence[int], action_port: int, token_file: Path, secret_file: Path,
                  interval: str = "15s") -> Dict[str, object]:
    def job(name: str, ports: Sequence[int], credentials: Path) -> Dict[str, object]:
        return {"job_name": name, "metrics_path": "/metrics", "scheme": "http",
                "authorization": {"type": "Bearer", "credentials_file": str(credentials)},
                "static_configs": [{"targets": [f"127.0.0.1:{p}" for p in ports]}]}

    return {"global": {"scrape_interval": interval, "evaluation_interval": interval},
            "scrape_configs": [job("advisor-rasa", replica_ports, token_file),
                               job("advisor-actions", [action_port], secret_file)]}


def bcrypt_hash(password: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt  # the C library's bcrypt ($2b$): Prometheus's web configuration takes only bcrypt

        hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))
    if not hashed or not hashed.startswith("$2"):
        raise RuntimeError("this system's crypt() has no bcrypt: cannot protect Prometheus's page")
    return hashed


def _private(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path


def write(directory: Path, replica_ports: Sequence[int], action_port: int,
          environ: Optional[Dict[str, str]] = None) -> Path:
    env = dict(os.environ if environ is None else environ)
    token = (env.get("RASA_AUTH_TOKEN") or "").strip()
    token_file = _private(directory / "api-token", token + "\n") if token else api_token.token_file()
    secret = (env.get(action_server.ENV_SECRET) or "").strip()
    secret_file = (_private(directory / "action-secret", secret + "\n") if secret
                   else action_server.secret_file(env))
    config = scrape_config(replica_ports, action_port, token_file, secret_file)
    out = _private(directory / "prometheus.yml", yaml.safe_dump(config, sort_keys=False))
    password_file = directory / "password"
    if not password_file.exists():
        _private(password_file, secrets.token_urlsafe(24) + "\n")
    password = password_file.read_text().strip()
    _private(directory / "web.yml", yaml.safe_dump({"basic_auth_users": {USER: bcrypt_hash(password)}}))
    return out


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m advisor.prometheus_config", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True, type=Path)
    ap.add_argument("--replicas", required=True, help="the replicas' ports, comma-separated")
    ap.add_argument("--actions", required=True, type=int, help="the action server's port")
    args = ap.parse_args(argv)
    try:
        ports = [int(p) for p in args.replicas.split(",") if p]
    except ValueError:
        ap.error("--replicas: ports separated by commas")
    try:
        print(write(args.dir, ports, args.actions))
    except (RuntimeError, api_token.TokenProblem) as problem:
        print(f"advisor: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
