"""A tracker store for the workbench tests, filled through Rasa's own tracker store API (SQLTrackerStore on a
temporary SQLite file): a few hundred events across the four channels, several days, with fallbacks,
low-confidence messages, recommendations, drop-offs and a resource link. No Rasa server needed."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

BASE = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc).timestamp()
RESOURCE_URL = "https://udemywork.com/csm-vs-cspo"

# (text, intent, confidence, entities, actions-with-replies, slots set after)
Turn = Tuple[str, str, float, List[Dict[str, Any]], List[Tuple[str, Optional[str]]], Dict[str, Any]]


def user(
    text: str,
    intent: str,
    conf: float = 0.95,
    entities: Optional[List[Dict[str, Any]]] = None,
    actions: Sequence[Tuple[str, Optional[str]]] = (),
    slots: Optional[Dict[str, Any]] = None,
) -> Turn:
    return (text, intent, conf, entities or [], list(actions), slots or {})


def events_for(
    channel: str, start: float, turns: Sequence[Turn], latency: float = 0.4, form_slots: Sequence[str] = ()
) -> List[Dict[str, Any]]:
    t = start
    evs: List[Dict[str, Any]] = [
        {"event": "action", "name": "action_session_start", "timestamp": t},
        {"event": "session_started", "timestamp": t},
        {"event": "action", "name": "action_listen", "timestamp": t},
    ]
    for text, intent, conf, entities, actions, slots in turns:
        t += 20
        ranking = [{"name": intent, "confidence": conf}]
        parse_intent = {"name": intent, "confidence": conf}
        if intent == "nlu_fallback":
            ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "ask_cost", "confidence": conf}]
            parse_intent = {"name": "nlu_fallback", "confidence": 0.3}
        evs.append(
            {
                "event": "user",
                "timestamp": t,
                "text": text,
                "input_channel": channel,
                "parse_data": {"text": text, "intent": parse_intent, "entities": entities, "intent_ranking": ranking},
            }
        )
        evs.append({"event": "user_featurization", "timestamp": t, "use_text_for_featurization": False})
        t += latency
        for name, reply in actions:
            if name.startswith("loop:"):
                evs.append({"event": "active_loop", "timestamp": t, "name": name[5:] or None})
                continue
            evs.append({"event": "action", "timestamp": t, "name": name, "policy": "RulePolicy", "confidence": 1.0})
            if reply is not None:
                evs.append({"event": "bot", "timestamp": t, "text": reply, "data": {}, "metadata": {}})
        for k, v in slots.items():
            evs.append({"event": "slot", "timestamp": t, "name": k, "value": v})
        evs.append({"event": "action", "timestamp": t, "name": "action_listen", "policy": "RulePolicy", "confidence": 1.0})
    return evs


ASK = ("recommendation_form", None)
FORM_ON = ("loop:recommendation_form", None)


def conversations() -> Dict[str, List[Dict[str, Any]]]:
    """id -> events. Channels: rest, web, slack, telegram (by id prefix) and one old id with only input_channel."""
    convs: Dict[str, List[Dict[str, Any]]] = {}
    channels = [("rest", "rest:{}"), ("socketio", "web:{}"), ("slack", "slack:T1:{}"), ("telegram", "telegram:{}")]
    # The conversation the e2e test saves as a test story: greet and thanks, answered as the rules say
    # (through action_small_talk, data/rules/smalltalk.yml).
    convs["rest:alice"] = events_for(
        "rest",
        BASE + 6 * 86400,
        [
            user("hi", "greet", 0.98, actions=[("action_small_talk", "Hi! I'm the CSM/CSPO advisor.")]),
            user("thanks a lot", "thank", 0.97, actions=[("action_small_talk", "You're welcome!")]),
        ],
    )
    for i in range(24):
        input_channel, pattern = channels[i % 4]
        cid = pattern.format(f"user{i}")
        day = i % 6
        start = BASE + day * 86400 + i * 600
        turns: List[Turn] = [user("hello", "greet", 0.97, actions=[("action_small_talk", "Hi! I'm the CSM/CSPO advisor.")])]
        if i % 3 == 0:
            turns.append(
                user(
                    "how much does the csm cost",
                    "ask_cost",
                    0.91,
                    [{"entity": "certification", "value": "CSM", "start": 18, "end": 21}],
                    [("action_answer_question", "The CSM course costs about $400-$1,200.")],
                )
            )
        if i % 4 == 1:
            turns.append(
                user(
                    "what's the weather in paris",
                    "nlu_fallback",
                    0.21,
                    actions=[("action_handle_fallback", "Sorry, I didn't get that.")],
                )
            )
        if i % 5 == 2:
            turns.append(
                user(
                    "is the cspo exam hard",
                    "ask_requirements",
                    0.42,
                    [{"entity": "certification", "value": "CSPO", "start": 7, "end": 11}],
                    [("action_answer_question", "There is no exam for the CSPO.")],
                )
            )
        if i % 2 == 0:  # asks for a recommendation
            turns.append(
                user(
                    "which one should I take?",
                    "ask_recommendation",
                    0.93,
                    actions=[ASK, FORM_ON, ("action_ask_current_role", "What is your current role?")],
                    slots={"requested_slot": "current_role"},
                )
            )
            if i % 8 != 6:
                turns.append(
                    user(
                        "I'm a developer",
                        "inform_role",
                        0.9,
                        [{"entity": "role", "value": "developer", "start": 6, "end": 15}],
                        [ASK, ("action_ask_preferred_focus", "What draws you most?")],
                        {"current_role": "developer", "requested_slot": "preferred_focus"},
                    )
                )
                if i % 8 != 4:
                    focus = (
                        ("making the team work smoothly", "goal_facilitate_teams", "team_process")
                        if i % 3
                        else ("deciding what we build", "goal_own_product", "product_value")
                    )
                    turns.append(
                        user(
                            focus[0],
                            focus[1],
                            0.88,
                            actions=[ASK, ("action_ask_leads_transformation", "Do you lead a transformation?")],
                            slots={"preferred_focus": focus[2], "requested_slot": "leads_transformation"},
                        )
                    )
                    rec = "csm" if focus[2] == "team_process" else "cspo"
                    if i == 10:
                        rec = "both"
                    link = f"Next step: Free CSM vs CSPO guide {RESOURCE_URL}" if i % 6 != 0 else "Next step: ask me anything."
                    turns.append(
                        user(
                            "no",
                            "deny",
                            0.96,
                            actions=[
                                ASK,
                                ("loop:", None),
                                ("action_recommend", f"My recommendation for you: {rec.upper()}"),
                                ("utter_link", link),
                            ],
                            slots={"leads_transformation": False, "requested_slot": None, "recommendation": rec},
                        )
                    )
        if i % 7 == 3:
            turns.append(
                user(
                    "wat about teh price for the course thing",
                    "ask_cost",
                    0.35,
                    actions=[("action_answer_question", "Costs vary.")],
                )
            )
        turns.append(user("bye", "goodbye", 0.99, actions=[("utter_goodbye", "Goodbye!")]))
        convs[cid] = events_for(input_channel, start, turns, latency=0.2 + (i % 5) * 0.3)
    convs["legacy-sender"] = events_for(
        "telegram", BASE + 2 * 86400, [user("hey there", "greet", 0.9, actions=[("action_small_talk", "Hi!")])]
    )
    return convs


# A fact answer with its trace, voted 👎 with a comment; a topic answer voted 👍; a trace of a hostile shape.
TRACE = {
    "decision": "fact", "rule": "best fact above min_score", "fact": "csm_price", "topic": None,
    "certifications": ["CSM"], "asks": "price",
    "candidates": [{"id": "csm_price", "score": 0.42}, {"id": "csm_attempts", "score": 0.39},
                   {"id": "renewal_cost", "score": 0.2}],
}
HOSTILE_TRACE = {"decision": "<script>window.__pwned = 1</script>", "rule": ["not", "text"], "candidates": "x", "extra": {"a": 1}}


def voted_conversation(start: float) -> List[Dict[str, Any]]:
    """A web conversation: a fact answer voted 👎 and its comment, a topic answer voted 👍 (SlotSet events of
    `answer_feedback`, the bot events with `answer_ref` and `answer_trace` metadata, as actions/feedback.py writes)."""
    t = start
    evs: List[Dict[str, Any]] = [
        {"event": "action", "name": "action_session_start", "timestamp": t},
        {"event": "session_started", "timestamp": t},
        {"event": "action", "name": "action_listen", "timestamp": t},
    ]

    def said(text: str, intent: str) -> None:
        nonlocal t
        t += 20
        parse = {"text": text, "intent": {"name": intent, "confidence": 0.97}, "entities": [],
                 "intent_ranking": [{"name": intent, "confidence": 0.97}]}
        evs.append({"event": "user", "timestamp": t, "text": text, "input_channel": "socketio", "parse_data": parse})

    def replied(action: str, text: Optional[str] = None, metadata: Optional[Dict[str, Any]] = None,
                slot: Optional[Dict[str, Any]] = None) -> None:
        evs.append({"event": "action", "timestamp": t + 0.3, "name": action, "policy": "RulePolicy", "confidence": 1.0})
        if text is not None:
            evs.append({"event": "bot", "timestamp": t + 0.3, "text": text, "data": {}, "metadata": metadata or {}})
        if slot is not None:
            evs.append({"event": "slot", "timestamp": t + 0.3, "name": "answer_feedback", "value": slot})

    said("what does a second go at the csm test cost", "ask_cost")
    replied("action_answer_question", "The price of the CSM course is set by each trainer: about 400 to 1,500 USD.",
            {"answer_ref": "fact:csm_price", "answer_trace": TRACE})
    answered = t + 0.3
    vote = {"vote": "down", "ref": "fact:csm_price", "question": "what does a second go at the csm test cost",
            "answer_event": answered}
    said("/feedback_wrong", "feedback_wrong")
    replied("action_feedback_vote", slot=vote)
    replied("feedback_form", "Sorry about that. What were you looking for?")
    said("the price of a retake, not of the course", "out_of_scope")
    replied("feedback_form")
    replied("action_feedback_comment", "Thank you, I've passed that on.",
            slot={**vote, "comment": "the price of a retake, not of the course"})
    said("compare them", "compare_certifications")
    replied("action_answer_question", "CSM vs CSPO: …", {"answer_ref": "topic:comparison", "answer_trace": HOSTILE_TRACE})
    said("/feedback_helpful", "feedback_helpful")
    replied("action_feedback_vote", "Thanks for letting me know!",
            slot={"vote": "up", "ref": "topic:comparison", "question": "compare them", "answer_event": t - 20 + 0.3})
    evs.append({"event": "action", "timestamp": t + 0.3, "name": "action_listen", "policy": "RulePolicy", "confidence": 1.0})
    return evs


def fill_store(db: Path, convs: Optional[Dict[str, List[Dict[str, Any]]]] = None) -> int:
    """Writes the conversations (`conversations()` unless given) into a SQLite tracker store at `db` with Rasa's
    API; returns the number of events."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(db))
    total = 0

    async def save_all() -> None:
        nonlocal total
        for cid, evs in (conversations() if convs is None else convs).items():
            tracker = DialogueStateTracker.from_dict(cid, evs, domain.slots)
            await store.save(tracker)
            total += len(evs)

    asyncio.run(save_all())
    store.engine.dispose()
    return total


def write_endpoints(path: Path, db: Path) -> Path:
    path.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {db}\n")
    return path
