"""QuestionForm: whether a message is worded as a question, from spaCy's part-of-speech tags.

While the recommendation form waits for an answer, "how the work gets done" is an answer (the focus,
described in the user's words) and "how much does the CSM cost?" a new question, although both start
with "how" and the intent classifier may give both a knowledge intent. What tells them apart is the
grammar, not the words: a question ends with "?", or inverts subject and auxiliary ("is there an exam",
"how long is the course", "which one is better"), where an answer is a noun phrase or a clause in
statement order ("how the work gets done", "what customers need", "what we should build next").

The component adds `question_form` (true/false) to the parse result; the form's answer reading
(actions/profile.py) uses it. It reads only universal part-of-speech categories and Penn tags (no word
lists) and needs no training.
"""
from __future__ import annotations

from typing import Any, Dict, List, Sequence, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

QUESTION_FORM = "question_form"
Token = Tuple[str, str, str]  # (text, Penn tag, universal part of speech), as spaCy gives token.text, tag_, pos_

WH_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})  # who, what, which, whose, how, why, when, where
CLAUSE_BREAK_POS = frozenset({"PUNCT", "CCONJ"})
LEAD_POS = frozenset({"INTJ", "CCONJ", "PUNCT", "ADV"})  # "ok so how much …", "and is it …"
SUBJECT_POS = frozenset({"PRON", "NOUN", "PROPN", "DET", "NUM"})
WH_MODIFIER_POS = frozenset({"ADJ", "ADV"})  # how *much*, how *long*, how *often*


def _clause_starts(tokens: Sequence[Token]) -> List[int]:
    return [0] + [i + 1 for i, (_, _, pos) in enumerate(tokens) if pos in CLAUSE_BREAK_POS]


def _inverted_at(tokens: Sequence[Token], i: int) -> bool:
    """Whether the clause starting at ``i`` opens with a question's word order."""
    while i < len(tokens) and tokens[i][2] in LEAD_POS:
        i += 1
    if i >= len(tokens):
        return False
    _, tag, pos = tokens[i]
    following = tokens[i + 1][2] if i + 1 < len(tokens) else ""
    if pos == "AUX":  # "is there …", "does the CSPO expire", "can I …" (not "can't choose": no subject next)
        return following in SUBJECT_POS
    if tag in WH_TAGS:
        j = i + 1
        while j < len(tokens) and tokens[j][2] in WH_MODIFIER_POS:
            j += 1
        if tag == "WDT" and j < len(tokens) and tokens[j][2] in ("NOUN", "NUM"):
            j += 1  # "which one is", "what course is"
        return j < len(tokens) and tokens[j][2] == "AUX"
    return False


def is_question(tokens: Sequence[Token]) -> bool:
    """True when the message ends with a question mark or one of its clauses is in question word order."""
    words = [t for t in tokens if t[0].strip()]
    if not words:
        return False
    if words[-1][0].endswith("?"):
        return True
    return any(_inverted_at(words, start) for start in _clause_starts(words))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class QuestionForm(GraphComponent):
    """Adds `question_form` to every parse result (place it after SpacyNLP)."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "QuestionForm":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                text = message.get(TEXT) or ""
                message.set(QUESTION_FORM, text.rstrip().endswith("?"), add_to_output=True)
                continue
            message.set(QUESTION_FORM, is_question([(t.text, t.tag_, t.pos_) for t in doc]), add_to_output=True)
        return messages
