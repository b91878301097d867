"""Measures the answer planner's options on the fact sets, offline: each question is parsed once by the
trained NLU (cached), then each option's planner decides and its reply is judged by the same rules as
scripts/score_facts.py (which asks a running server; this one does not need one).

    PYTHONPATH=. .venv/bin/python scripts/measure_planner.py [--model M] [--cache F] SET.yml [SET.yml ...]

Options compared (the four figures of issue 20 for each): the retriever before the planner (character
n-grams, no lexicon, no "not known"), then the planner with character n-grams, words, or both, with
and without the lexicon (concepts and what is asked), and with and without the known unknowns.
The routing follows the rules of data/: knowledge intents go to the planner, a fallback to the planner
with the NLU's best guess (stricter bar), out of scope to the planner for neighbours and known
unknowns only, the recommendation intents to the form (after the audience shortcut).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

FORM_INTENTS = {"ask_recommendation", "inform_role", "goal_facilitate_teams", "goal_own_product", "goal_lead_transformation"}


def parse_all(model: str, texts: List[str], cache_file: Optional[Path]) -> Dict[str, Any]:
    cache: Dict[str, Any] = json.loads(cache_file.read_text()) if cache_file and cache_file.exists() else {}
    missing = [t for t in dict.fromkeys(texts) if t not in cache]
    if missing:
        from measure_facts import parse_all as parse_in_batches

        import advisor.patches

        advisor.patches.install()
        cache.update(zip(missing, parse_in_batches(model, missing), strict=True))
        if cache_file:
            cache_file.write_text(json.dumps(cache, default=str))
    return cache


def options() -> Dict[str, Callable[[], Any]]:
    """The default planner, and each of its choices changed one at a time (plus the retriever of before)."""
    from actions.compose import get_planner
    from actions.facts import FactIndex, facts_from_knowledge
    from actions.knowledge_base import get_knowledge
    from actions.lexicon import lexicon_from_knowledge
    from actions.neighbours import get_neighbours
    from actions.planner import Planner
    from actions.recommender import get_rules
    from actions.unknowns import unknowns_from_knowledge

    kb = get_knowledge()
    book = facts_from_knowledge(kb)
    lexicon = lexicon_from_knowledge(kb)
    unknowns = unknowns_from_knowledge(kb)
    roles = get_rules().role_leaning

    def planner(analyzers: Tuple[str, ...] = ("word", "char"), lex: bool = True, unk: bool = True,
                coverage: Optional[int] = None, **book_changes: Any) -> Callable[[], Any]:
        changed = replace(book, **book_changes)
        return lambda: Planner(kb, FactIndex(changed, analyzers, lexicon if lex else None), get_neighbours(),
                               unknowns if unk else replace(unknowns, entries=()), roles, coverage)

    return {
        "default (words+chars, lexicon, unknowns, every concept explained, answers matched)": lambda: get_planner(),
        "like before: chars, no lexicon, no unknowns, concepts unchecked, answers not matched": planner(
            ("char",), False, False, -1, answers_as_questions=False),
        "characters only": planner(("char",)),
        "words only": planner(("word",)),
        "no lexicon (no concepts, no answer types)": planner(lex=False),
        "no known unknowns": planner(unk=False),
        "one concept may be unexplained": planner(coverage=1),
        "concepts unchecked": planner(coverage=-1),
        "answers not matched": planner(answers_as_questions=False),
        "concept weight 0.4 in the score": planner(concept_weight=0.4),
        "margin: no certification named, two facts within 0.2": planner(ambiguity_margin=0.2),
        "stricter bar: min_score 0.4": planner(min_score=0.4),
        "no stricter bar for words the knowledge never uses": planner(foreign_word_min_score=None),
        "context bonus 0.2 (0.1 by default)": planner(context_bonus=0.2),
        "no context bonus": planner(context_bonus=0.0),
        "bar 0.45 for words the knowledge never uses": planner(foreign_word_min_score=0.45),
        "bar 0.65 for words the knowledge never uses": planner(foreign_word_min_score=0.65),
    }


def decide(planner: Any, parse: Mapping[str, Any], context: Any) -> Tuple[Any, str]:
    """The planner's decision as the advisor's actions take it (None: the action replies its own way,
    with the text given), following the rules of data/."""
    from actions.decision import FALLBACK, FORM, KNOWLEDGE, OUT_OF_SCOPE, SMALL_TALK, Turn, accepted
    from actions.fallback import FALLBACK_INTENT

    intent = (parse.get("intent") or {}).get("name")
    if intent == FALLBACK_INTENT:
        turn = Turn.after_fallback(parse, planner.kb, FALLBACK_INTENT)
    else:
        turn = Turn.from_message(parse, unsure=intent == "out_of_scope")
    decision = planner.plan(turn, context)
    if intent in FORM_INTENTS:
        return (decision, "") if accepted(FORM, decision) else (None, "[form]")
    small_talk = set(planner.kb.extra.get("small_talk_replies") or {}) | {"ask_why", "ask_other_option"}
    if intent in small_talk and (context.fact is not None or context.topic is not None):  # answer_follow_up
        followup = planner.plan(Turn.from_message(parse, unsure=True), context)
        if accepted(SMALL_TALK, followup):
            return followup, ""
    if intent in (planner.kb.extra.get("small_talk_replies") or {}) or intent in ("ask_why", "ask_other_option"):
        # (ask_why, ask_other_option: actions.action_recommend.ActionExplainRecommendation, with no recommendation)
        # actions.action_answer.answer_misread_question: "how many questions on it?" the NLU took for "stop"
        from actions.action_answer import MISREAD_MAX_CONFIDENCE
        from actions.question_text import looks_like_a_question
        text = str(parse.get("text") or "")
        if planner.asks_beside_pleasantries(text) or (
                float((parse.get("intent") or {}).get("confidence") or 0.0) <= MISREAD_MAX_CONFIDENCE
                and looks_like_a_question(text)):
            misread = planner.plan(Turn.from_message(parse, unsure=True), context)
            if accepted(FALLBACK, misread):
                return misread, ""
    if planner.kb.topic_for_intent(intent) is None and intent not in (FALLBACK_INTENT, "out_of_scope"):
        return None, f"[{intent}]"
    route = FALLBACK if intent == FALLBACK_INTENT else OUT_OF_SCOPE if intent == "out_of_scope" else KNOWLEDGE
    if not accepted(route, decision):
        return None, {FALLBACK: "Sorry, I'm not sure I understood.",
                      OUT_OF_SCOPE: "Sorry, that's outside what I know."}.get(route, "[capabilities]")
    return decision, ""


def reply_for(planner: Any, parse: Mapping[str, Any], context: Any) -> Tuple[str, Any]:
    from dataclasses import replace

    from actions.compose import replies_for
    from actions.recommender import get_rules
    from actions.render import Renderer

    decision, text = decide(planner, parse, context)
    said = str(parse.get("text") or "") or None  # the next message's "message before" (actions.action_answer.context_of)
    if decision is None:
        return text, replace(context, question=said)
    replies = replies_for(planner.kb, planner, get_rules(), Renderer("rest"), decision)
    return "\n".join(x.text for x in replies), replace(decision.context_after(context), question=said)


def measure(planner: Any, questions: List[Dict[str, Any]], parses: Mapping[str, Any]) -> Dict[str, Any]:
    from score_facts import judge

    from actions.decision import Context

    rows = []
    for q in questions:
        context = Context()
        for earlier in q.get("previous") or []:
            _, context = reply_for(planner, parses[earlier], context)
        reply, _ = reply_for(planner, parses[q["text"]], context)
        rows.append({"id": q["id"], "kind": q["kind"], "verdict": judge(q, reply), "text": q["text"], "reply": reply[:300]})
    return summarise(rows)


def summarise(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    by = {k: [r for r in rows if r["kind"] == k] for k in ("answerable", "unanswerable", "followup")}

    def share(kind: str, verdict: str) -> str:
        n = sum(r["verdict"] == verdict for r in by[kind])
        return f"{n}/{len(by[kind])} = {n / max(len(by[kind]), 1):.3f}"

    wrong = sum(r["verdict"] == "wrong" for r in rows)
    return {"right_first": share("answerable", "right"), "wrong_of_all": f"{wrong}/{len(rows)} = {wrong / max(len(rows), 1):.3f}",
            "honest_not_known": share("unanswerable", "right"), "abstained_when_known": share("answerable", "abstained"),
            "followups_right": share("followup", "right"), "rows": rows}


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--model")
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--only-default", action="store_true")
    parser.add_argument("--out", type=Path, help="the default option's rows, as JSON")
    args = parser.parse_args(argv)
    if not args.model:
        import subprocess
        args.model = subprocess.run(["bash", "-c", "source scripts/common.sh && model_path"], cwd=ROOT,
                                    capture_output=True, text=True, check=True).stdout.strip()
    for path in args.sets:
        questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
        texts = [t for q in questions for t in list(q.get("previous") or []) + [q["text"]]]
        parses = parse_all(args.model, texts, args.cache)
        print(f"== {path.name} ({len(questions)} questions)")
        for name, make in options().items():
            result = measure(make(), questions, parses)
            print(f"{name}\n  " + "  ".join(f"{k} {v}" for k, v in result.items() if k != "rows"))
            if args.out and name.startswith("default"):
                args.out.write_text(json.dumps(result["rows"], indent=1))
            if args.only_default:
                break
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
