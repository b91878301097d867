"""A conversation as a Rasa test story (the trainer may edit it first), committed to `tests/stories/` on the
annotations branch. The story is written by Rasa's own `YAMLStoryWriter`, as Rasa X's "save as test" did."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

import yaml

from actions import yamlload
from workbench import gitbranch
from workbench.nlu_data import AnnotationError
from workbench.safe import id_slug, visible

STORIES_DIR = "tests/stories"
MAX_STORY_CHARS = 100_000
# Slots that the project's actions keep for themselves (quotes, counters): a test story does not need them.
_KEPT_SLOT_EVENTS = {"current_role", "preferred_focus", "leads_transformation", "recommendation", "requested_slot"}


def story_name(conversation_id: str) -> str:
    return "workbench " + re.sub(r"[^\w:.-]+", "_", conversation_id)[:80]


def file_name(conversation_id: str) -> str:
    """tests/stories/workbench_<slug>_<hash>.yml: one file per conversation id, never shared by two ids."""
    return f"{STORIES_DIR}/workbench_{id_slug(conversation_id)}.yml"


def conversation_to_story(conversation_id: str, events: Sequence[Mapping[str, Any]]) -> str:
    """A test story YAML for the conversation: user texts with their intents (and entities), the bot's actions,
    the form and the slots the form and recommender set."""
    from rasa.shared.core.events import Event, SlotSet
    from rasa.shared.core.training_data.story_writer.yaml_story_writer import YAMLStoryWriter
    from rasa.shared.core.training_data.structures import Story

    parsed: List[Any] = []
    for e in events:
        if e.get("event") in ("session_started", "restart"):
            continue
        if e.get("event") == "action" and e.get("name") in ("action_session_start",):
            continue
        ev = Event.from_parameters(dict(e))
        if ev is None:
            continue
        if isinstance(ev, SlotSet) and ev.key not in _KEPT_SLOT_EVENTS:
            continue
        parsed.append(ev)
    story = Story.from_events(parsed, story_name(conversation_id))
    return YAMLStoryWriter().dumps(story.story_steps, is_test_story=True)


def validate_story(text: str) -> None:
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    if len(text) > MAX_STORY_CHARS:
        raise AnnotationError(f"the story is longer than {MAX_STORY_CHARS} characters")
    try:
        data = yamlload.safe_load(text)
    except yaml.YAMLError as exc:
        raise AnnotationError(f"the story is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not data.get("stories"):
        raise AnnotationError("the file needs a `stories:` list with at least one story")
    try:
        steps = YAMLStoryReader().read_from_string(text)
    except Exception as exc:  # noqa: BLE001 - Rasa raises several kinds for bad stories
        raise AnnotationError(f"Rasa cannot read the story: {exc}") from exc
    if not steps:
        raise AnnotationError("the story has no steps")


def save_story(root: Path, conversation_id: str, text: str, author: Optional[gitbranch.Author] = None) -> Dict[str, str]:
    """Validates the story and commits it on the annotations branch; returns {file, commit}."""
    validate_story(text)
    path = file_name(conversation_id)
    commit = gitbranch.commit_files(
        root,
        {path: text if text.endswith("\n") else text + "\n"},
        f"Workbench: test story from conversation {visible(conversation_id)[:80]}",
        author=author,
    )
    return {"file": path, "commit": commit}
