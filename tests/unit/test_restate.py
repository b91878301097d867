"""The words an honest "I don't know" names (actions/restate.py)."""
from actions.restate import MAX_WORDS, words_not_known


def test_one_two_and_three_words_are_named_in_order_each_once() -> None:
    assert words_not_known(["pause"]) == '"pause"'
    assert words_not_known(["pause", "break"]) == '"pause" or "break"'
    assert words_not_known(["Logo", "seal", "logo", "frame"]) == '"logo", "seal" or "frame"'


def test_nothing_is_named_when_there_is_nothing_plain_or_too_much() -> None:
    assert words_not_known([]) is None
    assert words_not_known(["a", "b", "c", "d"][: MAX_WORDS + 1]) is None  # (single letters are no words either)
    assert words_not_known(["one", "two", "three", "four"]) is None  # four words: no longer what it is about
    assert words_not_known(["<script>"]) is None and words_not_known(['"quoted"']) is None
    assert words_not_known(["x" * 40]) is None
