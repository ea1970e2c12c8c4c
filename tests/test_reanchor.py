"""Re-anchoring claims into a new body: by content and context, never by offset."""

from __future__ import annotations

from factcheck.reanchor import OldClaim, diff_words, reanchor


def _sentences(body: str) -> list[tuple[int, int]]:
    """Sentence spans of a test body: one sentence per ". "-separated piece."""
    spans, start = [], 0
    for piece in body.replace("\n", " ").split(". "):
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            end = start + lead + len(stripped)
            if body[end : end + 1] == ".":
                end += 1
            spans.append((start + lead, end))
        start += len(piece) + 2
    return spans


def _claims(body: str, *texts: str) -> list[OldClaim]:
    return [OldClaim(t, body.index(t), body.index(t) + len(t)) for t in texts]


def _run(old: str, new: str, *texts: str) -> dict:
    anchors = reanchor(old, _claims(old, *texts), new, _sentences(new))
    return {a.key: a for a in anchors}


OLD = (
    "Exports rose 12 percent in 2025. The minister praised the farmers. "
    "Unemployment fell to 4 percent. Prices stayed flat."
)


def test_unchanged_claims_keep_their_text_at_new_offsets():
    new = "A new opening sentence was added here. " + OLD
    found = _run(OLD, new, "Exports rose 12 percent in 2025.", "Prices stayed flat.")
    for text, anchor in found.items():
        assert anchor.status == "moved" and anchor.how == "exact"
        assert new[anchor.start : anchor.end] == text
    assert _run(OLD, OLD, "Prices stayed flat.")["Prices stayed flat."].status == (
        "kept"
    )


def test_a_reworded_sentence_is_changed_and_points_at_its_new_version():
    new = OLD.replace("fell to 4 percent", "fell to 4.5 percent")
    anchor = _run(OLD, new, "Unemployment fell to 4 percent.")[
        "Unemployment fell to 4 percent."
    ]
    assert anchor.status == "changed" and anchor.flagged and anchor.how == "fuzzy"
    assert new[anchor.start : anchor.end] == "Unemployment fell to 4.5 percent."


def test_a_deleted_sentence_vanishes_and_is_never_moved_onto_a_neighbour():
    new = OLD.replace("Unemployment fell to 4 percent. ", "")
    anchor = _run(OLD, new, "Unemployment fell to 4 percent.")[
        "Unemployment fell to 4 percent."
    ]
    assert anchor.status == "vanished" and anchor.flagged


def test_a_quote_inside_a_longer_sentence_is_not_an_exact_match():
    new = OLD.replace(
        "Prices stayed flat.", "Officials said Prices stayed flat. Nobody agreed."
    )
    anchor = _run(OLD, new, "Prices stayed flat.")["Prices stayed flat."]
    assert anchor.status != "kept" and anchor.how != "exact"


def test_a_repeated_quote_goes_to_the_occurrence_with_the_same_context():
    old = "Intro A. Taxes rose. Context A follows. Middle text here. Taxes rose. B."
    second = old.rindex("Taxes rose.")
    claim = OldClaim("second", second, second + len("Taxes rose."))
    new = "Intro A. Taxes rose. Context A follows. New words. Middle text here. " + (
        "Taxes rose. B."
    )
    (anchor,) = reanchor(old, [claim], new, _sentences(new))
    assert anchor.status == "moved" and anchor.how == "exact+context"
    assert anchor.start == new.rindex("Taxes rose.")


def test_reordered_paragraphs_keep_every_claim_exact():
    paragraphs = [
        "Exports rose 12 percent in 2025. Farmers were pleased.",
        "Unemployment fell to 4 percent. Economists were surprised.",
        "Prices stayed flat in March. Shops were busy.",
    ]
    old = "\n".join(paragraphs)
    new = "\n".join(reversed(paragraphs))
    texts = [
        "Exports rose 12 percent in 2025.",
        "Unemployment fell to 4 percent.",
        "Prices stayed flat in March.",
    ]
    for text, anchor in _run(old, new, *texts).items():
        assert new[anchor.start : anchor.end] == text
        assert not anchor.flagged


def test_two_claims_never_share_one_new_sentence():
    old = "Taxes rose 5 percent in May. Taxes rose 6 percent in May. Then calm."
    new = "Taxes rose 7 percent in May. Then calm."
    found = _run(
        old, new, "Taxes rose 5 percent in May.", "Taxes rose 6 percent in May."
    )
    changed = [a for a in found.values() if a.status == "changed"]
    assert len(changed) == 1
    assert {a.status for a in found.values()} == {"changed", "vanished"}


def test_a_vanished_claim_is_found_by_its_text_alone():
    new = "Something else. Unemployment fell to 4 percent. The end."
    claim = OldClaim("back", 0, 1, text="Unemployment fell to 4 percent.")
    (anchor,) = reanchor(
        OLD.replace("Unemployment", "X"), [claim], new, _sentences(new)
    )
    assert anchor.status == "moved"
    assert new[anchor.start : anchor.end] == claim.text


def test_diff_words_marks_what_changed():
    pieces = diff_words("Exports rose 12 percent.", "Exports rose 14 percent.")
    assert ("del", "12 ") in pieces and ("ins", "14 ") in pieces
    assert "".join(t for op, t in pieces if op != "ins") == "Exports rose 12 percent."
    assert "".join(t for op, t in pieces if op != "del") == "Exports rose 14 percent."


def test_a_vanished_claim_sits_on_free_whitespace_never_on_another_claim():
    old = "Exports rose. Unemployment fell to 4 percent. Prices stayed flat."
    new = "Exports rose. Prices stayed flat."
    found = _run(old, new, "Unemployment fell to 4 percent.", "Prices stayed flat.")
    gone = found["Unemployment fell to 4 percent."]
    kept = found["Prices stayed flat."]
    assert gone.status == "vanished" and new[gone.start : gone.end].isspace()
    assert not (gone.start < kept.end and kept.start < gone.end)
