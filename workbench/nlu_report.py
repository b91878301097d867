"""`make nlu-report`: 5-fold cross-validation of the NLU, summarised (accuracy, macro-F1, per intent, the
confusion matrix, the worst-classified examples) and compared with the previous report."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

FOLDS = 5
REPORT_DIR = Path("reports/nlu-report")
NOT_INTENTS = {"accuracy", "macro avg", "weighted avg", "micro avg"}
SAME = 0.005  # a per-intent F1 change smaller than this is "same"


def summarize(
    intent_report: Dict[str, Any], errors: Sequence[Dict[str, Any]], meta: Optional[Dict[str, Any]] = None
) -> Dict[str, Any]:
    """The figures the report shows, from Rasa's intent_report.json and intent_errors.json."""
    intents = {
        k: {
            "precision": v.get("precision", 0.0),
            "recall": v.get("recall", 0.0),
            "f1": v.get("f1-score", 0.0),
            "support": int(v.get("support", 0)),
            "confused_with": dict(v.get("confused_with") or {}),
        }
        for k, v in intent_report.items()
        if k not in NOT_INTENTS and isinstance(v, dict)
    }
    worst = sorted(
        (
            {
                "text": e.get("text", ""),
                "intent": e.get("intent", ""),
                "predicted": (e.get("intent_prediction") or {}).get("name", ""),
                "confidence": float((e.get("intent_prediction") or {}).get("confidence") or 0.0),
            }
            for e in errors
        ),
        key=lambda e: -e["confidence"],
    )
    return {
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        "folds": FOLDS,
        **(meta or {}),
        "accuracy": float(intent_report.get("accuracy", 0.0)),
        "macro_f1": float((intent_report.get("macro avg") or {}).get("f1-score", 0.0)),
        "weighted_f1": float((intent_report.get("weighted avg") or {}).get("f1-score", 0.0)),
        "intents": intents,
        "worst": worst[:30],
    }


def confusion(summary: Dict[str, Any]) -> Tuple[List[str], List[List[int]]]:
    """Labels and matrix (rows: true intent, columns: predicted) from support and `confused_with`."""
    intents = summary["intents"]
    labels = sorted(intents)
    for v in intents.values():
        for other in v["confused_with"]:
            if other not in labels:
                labels.append(other)
    index = {k: i for i, k in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for name, v in intents.items():
        wrong = sum(int(n) for n in v["confused_with"].values())
        matrix[index[name]][index[name]] = max(0, v["support"] - wrong)
        for other, n in v["confused_with"].items():
            matrix[index[name]][index[other]] = int(n)
    return labels, matrix


@dataclass
class Change:
    intent: str
    before: Optional[float]
    after: Optional[float]

    @property
    def verdict(self) -> str:
        if self.before is None:
            return "new"
        if self.after is None:
            return "removed"
        delta = self.after - self.before
        return "better" if delta >= SAME else "worse" if delta <= -SAME else "same"


def compare(previous: Optional[Dict[str, Any]], current: Dict[str, Any]) -> List[Change]:
    """Per intent F1 before and after; worse first, then better, new, same."""
    if not previous:
        return []
    names = sorted(set(previous["intents"]) | set(current["intents"]))
    changes = [
        Change(n, (previous["intents"].get(n) or {}).get("f1"), (current["intents"].get(n) or {}).get("f1")) for n in names
    ]
    order = {"worse": 0, "removed": 1, "better": 2, "new": 3, "same": 4}
    return sorted(changes, key=lambda c: (order[c.verdict], c.intent))


def history(out: Path) -> List[Path]:
    return sorted((out / "history").glob("*.json"))


def latest_two(out: Path) -> Tuple[Optional[Dict[str, Any]], Optional[Dict[str, Any]]]:
    files = history(out)
    cur = json.loads(files[-1].read_text()) if files else None
    prev = json.loads(files[-2].read_text()) if len(files) > 1 else None
    return prev, cur


def run(
    root: Path, nlu: str = "data/nlu", config: str = "config.yml", out: Optional[Path] = None, folds: int = FOLDS
) -> Dict[str, Any]:
    """Runs Rasa's cross-validation (slow: several minutes on the project's data), stores the summary in the
    report's history and writes the self-contained HTML report. Returns the summary."""
    out = out or root / REPORT_DIR
    work = out / "rasa"
    work.mkdir(parents=True, exist_ok=True)
    rasa = str(Path(sys.executable).parent / "rasa")
    print(
        f"[nlu-report] {folds}-fold cross-validation of {nlu} with {config} (several minutes; Rasa's progress below)", flush=True
    )
    start = time.time()
    proc = subprocess.run(
        [rasa, "test", "nlu", "--nlu", nlu, "--config", config, "--cross-validation", "--folds", str(folds), "--out", str(work)],
        cwd=root,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"rasa test nlu failed (exit {proc.returncode})")
    report = json.loads((work / "intent_report.json").read_text())
    errors_file = work / "intent_errors.json"
    errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
    summary = summarize(report, errors, {"data": nlu, "config": config, "folds": folds, "seconds": round(time.time() - start, 1)})
    (out / "history").mkdir(exist_ok=True)
    (out / "history" / f"{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(summary, indent=1))
    write_html(out)
    print(
        f"[nlu-report] accuracy {summary['accuracy']:.3f}, macro-F1 {summary['macro_f1']:.3f} "
        f"in {summary['seconds']:.0f} s; report: {out / 'index.html'}",
        flush=True,
    )
    return summary


def page_context(prev: Optional[Dict[str, Any]], cur: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """What the report template needs besides the two summaries: rows worst F1 first, matrix, comparison."""
    if not cur:
        return {"rows": [], "labels": [], "matrix": [], "changes": {}, "change_list": []}
    labels, matrix = confusion(cur)
    change_list = compare(prev, cur)
    rows = sorted(cur["intents"].items(), key=lambda kv: (kv[1]["f1"], kv[0]))
    return {"rows": rows, "labels": labels, "matrix": matrix, "change_list": change_list,
            "changes": {c.intent: c for c in change_list}}


def write_html(out: Path) -> Path:
    from workbench.render import render

    prev, cur = latest_two(out)
    html = render("nlu_report.html", standalone=True, report=cur, previous=prev, **page_context(prev, cur))
    (out / "index.html").write_text(html, encoding="utf-8")
    return out / "index.html"
