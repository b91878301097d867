"""The recommendation form's actions: validation, questions, the recommendation, stop and reset."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.action_answer import MISREAD_MAX_CONFIDENCE, answer_follow_up, answer_misread_question, context_of
from actions.base import SafeAction, send
from actions.compose import audience_aside, audience_for_role_given, form_opening_reply
from actions.decision import AUDIENCE_TOPIC
from actions.followup import OTHER, WHY, explain
from actions.knowledge_base import get_knowledge
from actions.neighbours import get_neighbours, neighbour_reply
from actions.profile import FOCUS, FORM_SLOTS, LEADS, ROLE, Decision, Extraction, Parsed, as_answer, decide, extract
from actions.recommendation_reply import confirm_focus_reply, recommendation_reply
from actions.recommender import Profile, Rules, get_rules, recommend
from actions.render import Renderer

QUOTES_SLOT, UNSURE_SLOT, UNCLEAR_SLOT = "profile_quotes", "focus_unsure", "unclear_answers"
GUESS_SLOT = "focus_guess"  # {"value": focus, "quote": the words it was inferred from}, to confirm
PROFILE_SLOTS = FORM_SLOTS + (QUOTES_SLOT, UNSURE_SLOT, UNCLEAR_SLOT, GUESS_SLOT, "recommendation")


def _guess(tracker: Tracker) -> Dict[str, str]:
    value = tracker.get_slot(GUESS_SLOT)
    return value if isinstance(value, dict) and value.get("value") else {}


def read_reply(message: Dict[Text, Any], requested: Optional[str], focus_guess: Optional[str], unclear_answers: int,
               rules: Rules) -> Tuple[Parsed, Extraction, Decision]:
    """One message as the form reads it while waiting for ``requested`` (None: the opener): first as the
    answer to that question, else as a new request (scripts/score_form_answers.py measures this)."""
    parsed = as_answer(Parsed.from_message(message), requested, rules.answer_confidence)
    extraction = extract(parsed, requested, rules.role_names.keys(), rules.secondary_goal_confidence,
                         rules.certain_confidence, focus_guess)
    return parsed, extraction, decide(extraction, parsed, requested, unclear_answers)


class ValidateRecommendationForm(SafeAction):
    """Reads each answer through the NLU result; slots are set here and nowhere else."""

    def name(self) -> Text:
        return "validate_recommendation_form"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        rules = get_rules()
        requested: Optional[str] = tracker.get_slot("requested_slot")
        # "and a developer?" after the audience answer: answered, then asked again (while the role is asked, only
        # right after the audience answer: "which one suits a BA?" names no role of the user's)
        if requested is not None and (requested != ROLE or tracker.get_slot("last_topic") == "audience"):
            renderer = Renderer(tracker.get_latest_input_channel())
            aside = audience_aside(renderer, tracker.latest_message or {}) or audience_for_role_given(
                renderer, tracker.latest_message or {}, tracker.get_slot(ROLE))
            if aside is not None:
                send(dispatcher, [aside])
                # a slot set keeps Rasa from rejecting the form (which would drop these messages); the form asks again
                return [SlotSet("last_topic", "audience"), SlotSet("last_fact", None), SlotSet(UNCLEAR_SLOT, 0)]
        guess = _guess(tracker)
        parsed, extraction, decision = read_reply(tracker.latest_message or {}, requested, guess.get("value"),
                                                  int(tracker.get_slot(UNCLEAR_SLOT) or 0), rules)
        if requested is not None and not _answers(extraction) and (not decision.reject or parsed.intent in MISREAD):
            answered = answer_aside(dispatcher, tracker, requested, misread=decision.reject)
            if answered is not None:  # answered, then the form asks its question again (no "didn't get that")
                return answered + [SlotSet(UNCLEAR_SLOT, 0)]
        if decision.reject:
            return []
        if requested is None:  # the opener: "should I get PMP or CSM?" first hears what PMP is
            neighbours = get_neighbours().named(parsed.text, parsed.entities)
            # ... unless the planner answers the opener itself, before the form's question (answer_first):
            # "which one expires, CSM or PSM I?" compares them (a bot message here would keep that answer out)
            if neighbours and not form_opening_reply(Renderer(tracker.get_latest_input_channel()),
                                                     tracker.latest_message or {}):
                send(dispatcher, [neighbour_reply(get_knowledge(), get_neighbours(),
                                                  Renderer(tracker.get_latest_input_channel()), neighbours)])
        events: List[Dict[Text, Any]] = [SlotSet(slot, value) for slot, value in decision.slots.items()]
        quotes = dict(tracker.get_slot(QUOTES_SLOT) or {})
        if extraction.drop_guess and FOCUS in decision.slots and guess.get("quote"):
            extraction.quotes[FOCUS] = guess["quote"]  # "yes" confirmed the words the guess came from
        for slot in decision.slots:
            if slot in extraction.quotes:
                quotes[slot] = extraction.quotes[slot]
            else:
                quotes.pop(slot, None)
        events.append(SlotSet(QUOTES_SLOT, quotes))
        if FOCUS in decision.slots:
            events.append(SlotSet(UNSURE_SLOT, extraction.focus_unsure or decision.gave_up_on == FOCUS))
        events.append(SlotSet(UNCLEAR_SLOT, decision.unclear_answers))
        if extraction.drop_guess or FOCUS in decision.slots:
            events.append(SlotSet(GUESS_SLOT, None))
        elif extraction.focus_guess and not tracker.get_slot(FOCUS):
            events.append(SlotSet(GUESS_SLOT, {"value": extraction.focus_guess, "quote": extraction.focus_guess_quote}))
        if decision.gave_up_on:
            dispatcher.utter_message(response="utter_taking_not_sure")
        return events


# Intents a question mid-form is taken for that would otherwise end the form ("can I get a refund if I cancel?"
# as stop at 0.6): asked of the planner first, as outside the form (action_small_talk).
MISREAD = frozenset({"stop", "goodbye"})


def _answers(extraction: Extraction) -> bool:
    """Whether the message gave the form anything: a value, a guess to confirm, or a yes/no to the guess."""
    return bool(extraction.values) or extraction.drop_guess or bool(extraction.focus_guess)


def answer_aside(dispatcher: CollectingDispatcher, tracker: Tracker, requested: str,
                 misread: bool) -> Optional[List[Dict[Text, Any]]]:
    """A message that is no answer to the form's question but a question of its own: "is that the same for
    the other one?" right after a fact, a question the NLU took for "stop" (``misread``: only when it was
    unsure) or for no answer ("what does leading a transformation mean?"), "why do you ask?". Its answer's
    events (which keep Rasa from rejecting the form), or None to leave the message to the form and the rules."""
    answered = answer_follow_up(dispatcher, tracker, reasons=False)  # ("why?" asks why the form asks)
    if answered is None:
        answered = answer_misread_question(dispatcher, tracker, MISREAD_MAX_CONFIDENCE if misread else 1.0, in_form=True)
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    if answered is None and intent == "ask_why" and not misread:
        dispatcher.utter_message(response=f"utter_why_ask_{requested}")
        answered = []
    return answered


class _AskSlot(SafeAction):
    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        events = answer_first(dispatcher, tracker)
        if int(tracker.get_slot(UNCLEAR_SLOT) or 0) > 0:
            dispatcher.utter_message(response="utter_retry_prefix")
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return events


def answer_first(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """"I'm a business analyst, which one is for me?" opening the form: what it asked is answered first
    (the article's answer for the role, actions/planner.py), then the form asks its question. After the
    article's answer for a role, the conversation remembers it ("and a developer?" asks it again)."""
    if not _is_first_question(tracker):
        return []
    # (with what was just answered: "both of them?" right after the validity goes on from it)
    replies = form_opening_reply(Renderer(tracker.get_latest_input_channel()), tracker.latest_message or {}, context_of(tracker))
    send(dispatcher, replies)
    audience = next((r.trace for r in replies if (r.trace or {}).get("decision") == "audience"), None)
    if audience is not None:
        # (and the certification it named: "why that one?" next asks why that one, "the other one?" about the other)
        named = [str(c) for c in audience.get("certifications") or []]
        return [SlotSet("last_topic", AUDIENCE_TOPIC), SlotSet("last_fact", None)] + (
            [SlotSet("certification", named[0])] if len(named) == 1 else [])
    return []


def _is_first_question(tracker: Tracker) -> bool:
    """True when the latest user message opened the form and nothing was said since: an answer to the
    form's question ("deciding what we build") gets the next question, not the article's line for it."""
    opened = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return opened
        if event.get("event") == "bot":
            return False
        if event.get("event") == "active_loop" and event.get("name"):
            opened = True
    return False


class ActionAskCurrentRole(_AskSlot):
    slot = ROLE


class ActionAskPreferredFocus(_AskSlot):
    """Asks the focus question, or, when a focus was inferred but not stated, asks it back as yes/no."""

    slot = FOCUS

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        guess = _guess(tracker)
        if not guess:
            return await super().act(dispatcher, tracker, domain)
        events = answer_first(dispatcher, tracker)
        send(dispatcher, [confirm_focus_reply(get_rules(), guess["value"], guess.get("quote", ""))])
        return events


class ActionAskLeadsTransformation(_AskSlot):
    slot = LEADS


class ActionRecommend(SafeAction):
    """The only action that sets the `recommendation` slot."""

    def name(self) -> Text:
        return "action_recommend"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = get_knowledge()
        rules = get_rules()
        rec = recommend(profile_from(tracker), rules)
        send(dispatcher, recommendation_reply(kb, rules, Renderer(tracker.get_latest_input_channel()), rec))
        # What comes next ("how much will it cost me?", "how do I sign up?") is about what was recommended.
        about = [k for k in kb.certifications if k.lower() == rec.result]
        return [SlotSet("recommendation", rec.result), SlotSet("certification", about[0] if about else None),
                SlotSet("last_topic", "recommendation")]


def profile_from(tracker: Tracker) -> Profile:
    return Profile(
        role=tracker.get_slot(ROLE),
        focus=tracker.get_slot(FOCUS),
        leads_transformation=tracker.get_slot(LEADS),
        quotes=tracker.get_slot(QUOTES_SLOT) or {},
        focus_unsure=bool(tracker.get_slot(UNSURE_SLOT)),
    )


class ActionExplainRecommendation(SafeAction):
    """ "why?", "are you sure?", "what about the other one?" after a recommendation."""

    def name(self) -> Text:
        return "action_explain_recommendation"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        answered = answer_follow_up(dispatcher, tracker)  # "how many questions is that?" after a fact
        if answered is None and tracker.get_slot("recommendation") is None:
            # no recommendation to explain: "what are those values?" (which the NLU took for "why?") after the Scrum
            # Master's duties is a question of its own, when the NLU was unsure and the planner is
            answered = answer_misread_question(dispatcher, tracker)
        if answered is not None:
            return answered
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        reply = explain(get_knowledge(), get_rules(), Renderer(tracker.get_latest_input_channel()), profile_from(tracker),
                        tracker.get_slot("recommendation"), OTHER if intent == "ask_other_option" else WHY)
        send(dispatcher, [reply])
        return []


class ActionResetProfile(SafeAction):
    def name(self) -> Text:
        return "action_reset_profile"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        # "and if I fail again?", "starting from when?" right after a fact: a follow-up the NLU took for "start over" (its
        # "again", "start"): answered, nothing reset, and the rule's next step (the form) is not taken: Rasa listens
        answered = answer_follow_up(dispatcher, tracker)
        if answered is None:
            answered = answer_misread_question(dispatcher, tracker)
        if answered is not None:
            return answered + [FollowupAction("action_listen")]
        dispatcher.utter_message(response="utter_profile_reset")
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [SlotSet(s, None) for s in PROFILE_SLOTS]


class ActionStopForm(SafeAction):
    def name(self) -> Text:
        return "action_stop_form"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_form_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(UNCLEAR_SLOT, 0)]
