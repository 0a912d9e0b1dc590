"""The extended candidate inventory of the learned reader."""

from __future__ import annotations

import pytest

from qa.nlp import load_spacy
from qa.readers.candidates import EXTENDED_KINDS, CandidateGenerator, name_on


def spans(text: str) -> dict[str, set[str]]:
    sentence = load_spacy()(text)[:]
    return {c.span.text: set(c.kinds) for c in CandidateGenerator(extended=True).run(sentence)}


def test_each_item_of_a_coordination_and_the_whole() -> None:
    found = spans("The bakery sells bread, cakes and pies to the village.")
    assert {"bread", "cakes", "pies"} <= set(found)
    assert "bread, cakes and pies" in found
    assert "coord" in found["bread, cakes and pies"]


def test_numbers_keep_their_quantifier_and_noun() -> None:
    found = spans("The flood left over 3,000 people homeless and 12 villages cut off.")
    assert "over 3,000" in found
    assert "12" in found
    assert "12 villages" in found


def test_dates_and_entities() -> None:
    found = spans("Maria Lopez opened the library in Toledo on March 3, 2019.")
    assert "entity" in found["Maria Lopez"]
    assert "Toledo" in found
    assert any("2019" in text for text in found)


def test_a_title_before_a_name_is_a_candidate_of_its_own() -> None:
    found = spans("Fire chief Sarah Mills praised the crews on Monday.")
    assert "Fire chief" in found
    assert "Sarah Mills" in found


def test_predicate_adjectives_and_adverbs() -> None:
    found = spans('The critics said the film was "dull" and the actors spoke slowly.')
    assert "dull" in found
    assert "adj" in found["dull"]
    assert "slowly" in found


def test_verb_phrases_clauses_and_prepositional_phrases() -> None:
    found = spans("The council said that it would closely review the plan by June.")
    assert "closely review the plan" in found or "closely review the plan by June" in found
    assert any("clause" in kinds for kinds in found.values())
    assert "by June" in found


def test_larger_noun_phrases_are_kept_beside_the_core() -> None:
    found = spans("The mayor praised the volunteers of the local club, who cleaned the park.")
    assert "the volunteers of the local club" in found
    assert "the volunteers of the local club, who cleaned the park" in found


@pytest.mark.parametrize(
    "text",
    [
        "Rain fell.",
        "On Monday, the ministry said the talks, which began in May, had failed.",
        '"We will stay," she said.',
    ],
)
def test_spans_are_clean_and_known(text: str) -> None:
    sentence = load_spacy()(text)[:]
    seen = set()
    for candidate in CandidateGenerator(extended=True).run(sentence):
        span = candidate.span
        assert span.text == span.text.strip()
        assert not span[0].is_punct or span[0].text in {"[", "("}
        assert not span[-1].is_punct or span[-1].text in {"]", ")"}
        assert candidate.kinds <= set(EXTENDED_KINDS)
        assert (span.start, span.end) not in seen
        seen.add((span.start, span.end))


def test_the_rule_readers_inventory_is_unchanged_by_default() -> None:
    sentence = load_spacy()("The bakery sells bread, cakes and pies.")[:]
    kinds = {c.kind for c in CandidateGenerator().run(sentence)}
    assert kinds <= {"entity", "noun_chunk", "number", "coordinate", "clause", "adjective"}


def test_a_possessive_name_is_proposed_without_its_marker() -> None:
    # The tagger's entity is "Omar Bashir's": the name is the answer, "'s" is not.
    found = spans("The rebels attacked General Omar Bashir's Army near the river.")
    assert "entity" in found["Omar Bashir"]
    assert not any(text.endswith("'s") for text in found)


def test_an_adverb_of_a_verb_the_tagger_took_for_a_noun() -> None:
    # The small tagger reads "respect" after a quoted adverb as a noun; "to" still marks
    # it as the verb of its clause.
    found = spans('The envoy asked both parties to "strictly" respect the border.')
    assert "adv" in found["strictly"]


def test_a_possessor_is_proposed_as_the_doer_of_its_action() -> None:
    found = spans("The city council's closure of the old factory angered the workers.")
    assert "np" in found["The city council"]


def test_a_filler_adverb_the_parser_coordinated_is_not_part_of_a_phrase() -> None:
    found = spans(
        "The drones went after tanks, artillery and now, because they could, we saw them."
    )
    assert "tanks, artillery" in found
    assert not any(text.endswith(("and now", "now")) for text in found)


def test_a_quoted_copular_clause_is_a_clause() -> None:
    found = spans('"We are hopeful that the talks will succeed," the mayor told the radio.')
    assert "clause" in found.get("We are hopeful that the talks will succeed", set())


@pytest.mark.parametrize(
    ("text", "noun", "name"),
    [
        # The name a noun carries is a candidate even inside an entity that holds the noun.
        ("Militias recruit fighters in Spain's Navarra province.", "province", "Navarra"),
        # Without the nationality in front of it.
        ("Turkish Bayraktar TB2 drones hit the tanks.", "drones", "Bayraktar TB2"),
        # Never a piece of a longer name.
        ("A researcher at the Nordic Policy Institute think-tank spoke.", "tank", None),
        ("The old palace was hit.", "palace", None),
    ],
)
def test_the_name_a_noun_carries(text: str, noun: str, name: str | None) -> None:
    doc = load_spacy()(text)
    bounds = name_on(next(t for t in doc if t.text == noun))
    assert (doc[bounds[0] : bounds[1]].text if bounds else None) == name
    if name is not None:
        assert name in spans(text)
