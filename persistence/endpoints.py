"""Writes the Rasa endpoints file for a run mode, from the environment: one code path, only the
configuration differs.

- default: conversations in SQLite, `var/conversations.db` under the project (`ADVISOR_TRACKER_DB`);
- `POSTGRES_HOST` set: conversations in PostgreSQL (`POSTGRES_PORT`, `POSTGRES_DB`, `POSTGRES_USER`,
  `POSTGRES_PASSWORD`);
- `REDIS_HOST` set: conversation locks in Redis (`REDIS_PORT`, `REDIS_DB`, `REDIS_PASSWORD`,
  `REDIS_KEY_PREFIX`), needed as soon as more than one Rasa process serves the same conversations;
- `CONVERSATION_TTL_SECONDS` / `CONVERSATION_SWEEP_SECONDS`: how long an idle conversation is kept,
  how often the store looks for expired ones (defaults: persistence/retention.yml);
- `ADVISOR_TRACKER_CACHE`: how many conversations' trackers each Rasa process keeps in memory (default 500;
  0: none; docs/store.md);
- `ADVISOR_WORKBENCH_DB`: the workbench's SQLite file when it is not `.workbench/workbench.db` under the
  project: "forget me" erases the workbench's marks of the conversation there too (PRIVACY.md).

Passwords are not written into the file: it refers to them as `${POSTGRES_PASSWORD}` /
`${REDIS_PASSWORD}`, which Rasa reads from its environment at start-up; likewise the action server's
secret, sent as the `X-Advisor-Action-Secret` header (`${ACTION_SERVER_SECRET}`, set by the launcher).

    python -m persistence.endpoints --action-url http://127.0.0.1:5055/webhook --out .run/endpoints.yml
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Dict, List, Mapping, Optional

from persistence import retention

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE = ROOT / "var" / "conversations.db"
STORE_CLASS = "persistence.tracker_store.AdvisorTrackerStore"
# Sent with every call to the action server; Rasa expands ${ACTION_SERVER_SECRET} when it reads the file.
ACTION_SECRET_HEADER = "X-Advisor-Action-Secret"
ACTION_SECRET_ENV = "ACTION_SERVER_SECRET"
# An idle conversation is deleted after 30 days, checked hourly: the defaults are data (persistence/retention.yml).
DEFAULT_TTL_SECONDS = retention.load().ttl_seconds
DEFAULT_SWEEP_SECONDS = retention.load().sweep_seconds


class ConfigError(ValueError):
    pass


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} must be a number of seconds") from None
    if value < 0:
        raise ConfigError(f"{name}={raw!r} must not be negative")
    return value


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip() or str(default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"{name}={raw!r} must be a port number")
    return int(raw)


def _q(value: object) -> str:
    """A YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(value)


def render(action_url: str, env: Optional[Mapping[str, str]] = None) -> str:
    """The endpoints file for the environment `env` (default: this process's)."""
    env = os.environ if env is None else env
    ttl = _number(env, "CONVERSATION_TTL_SECONDS", DEFAULT_TTL_SECONDS)
    sweep = _number(env, "CONVERSATION_SWEEP_SECONDS", DEFAULT_SWEEP_SECONDS)
    lines: List[str] = ["# Written by persistence/endpoints.py for this run; edit the variables, not this file.",
                        "action_endpoint:", f"  url: {_q(action_url)}",
                        # the action server's shared secret (advisor.action_server), read by Rasa from its environment
                        "  headers:", f"    {ACTION_SECRET_HEADER}: ${{{ACTION_SECRET_ENV}}}",
                        "tracker_store:", f"  type: {STORE_CLASS}"]
    store: Dict[str, object]
    if env.get("POSTGRES_HOST", "").strip():
        store = {"dialect": "postgresql", "url": env["POSTGRES_HOST"].strip(),
                 "port": _port(env, "POSTGRES_PORT", 5432),
                 "db": env.get("POSTGRES_DB", "").strip() or "advisor",
                 "username": env.get("POSTGRES_USER", "").strip() or "advisor"}
        if env.get("POSTGRES_LOGIN_DB", "").strip():
            store["login_db"] = env["POSTGRES_LOGIN_DB"].strip()
    else:
        db = Path(env.get("ADVISOR_TRACKER_DB", "").strip() or DEFAULT_SQLITE)
        db = db if db.is_absolute() else ROOT / db
        db.parent.mkdir(parents=True, exist_ok=True)
        store = {"dialect": "sqlite", "db": str(db)}
    store.update(ttl_seconds=ttl, sweep_seconds=sweep)
    cache = env.get("ADVISOR_TRACKER_CACHE", "").strip()
    if cache:  # trackers each Rasa process keeps in memory (persistence/tracker_store.py; 0: none)
        if not cache.isdigit():
            raise ConfigError(f"ADVISOR_TRACKER_CACHE={cache!r} must be a number of conversations (0: no cache)")
        store["cache_size"] = int(cache)
    if env.get("ADVISOR_WORKBENCH_DB", "").strip():  # the workbench's marks, erased with a conversation
        store["workbench_db"] = env["ADVISOR_WORKBENCH_DB"].strip()
    lines += [f"  {k}: {_q(v)}" for k, v in store.items()]
    if store["dialect"] == "postgresql" and env.get("POSTGRES_PASSWORD"):
        lines.append("  password: ${POSTGRES_PASSWORD}")
    if env.get("REDIS_HOST", "").strip():
        prefix = env.get("REDIS_KEY_PREFIX", "").strip() or "advisor"
        if not prefix.isalnum():
            raise ConfigError(f"REDIS_KEY_PREFIX={prefix!r} must be letters and digits only (Rasa ignores any other)")
        db_index = env.get("REDIS_DB", "").strip() or "1"
        if not db_index.isdigit():
            raise ConfigError(f"REDIS_DB={db_index!r} must be a database number")
        lines += ["lock_store:", "  type: redis", f"  url: {_q(env['REDIS_HOST'].strip())}",
                  f"  port: {_port(env, 'REDIS_PORT', 6379)}", f"  db: {int(db_index)}", f"  key_prefix: {prefix}"]
        if env.get("REDIS_PASSWORD"):
            lines.append("  password: ${REDIS_PASSWORD}")
    return "\n".join(lines) + "\n"


def describe(env: Optional[Mapping[str, str]] = None) -> str:
    """One line for the operator: where conversations and locks are kept."""
    env = os.environ if env is None else env
    if env.get("POSTGRES_HOST", "").strip():
        where = (f"PostgreSQL {env.get('POSTGRES_USER') or 'advisor'}@{env['POSTGRES_HOST']}:"
                 f"{env.get('POSTGRES_PORT') or 5432}/{env.get('POSTGRES_DB') or 'advisor'}")
    else:
        where = f"SQLite {env.get('ADVISOR_TRACKER_DB') or DEFAULT_SQLITE.relative_to(ROOT)}"
    locks = f"Redis {env['REDIS_HOST']}:{env.get('REDIS_PORT') or 6379}" if env.get("REDIS_HOST", "").strip() \
        else "in the Rasa process"
    return f"conversations: {where}; locks: {locks}"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--action-url", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    try:
        text = render(args.action_url)
    except ConfigError as e:
        print(f"configuration error: {e}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(describe(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
