"""Candidate features that need no MiniLM: how a span relates to the question's words."""

from __future__ import annotations

import numpy as np
import pytest

from qa.answers import Passage
from qa.nlp import load_spacy
from qa.readers.features import FeatureExtractor, acronyms
from qa.readers.question import QuestionAnalyzer

TEXT = "The fighters are flown to the Turkish city of Gaziantep, officials told WBS radio."


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, float]]:
    question = QuestionAnalyzer().run("To which Turkish city are the fighters flown?")
    extractor = FeatureExtractor(use_embeddings=False)
    found = extractor.run(question, [Passage("d", 0, len(TEXT), TEXT)])
    names = ("focus_overlap", "novel_words", "overlap_lexical")
    return {
        text: {name: float(found.column(name)[i]) for name in names}
        for i, text in enumerate(found.texts)
    }


def test_a_span_that_only_repeats_the_wh_phrase_adds_nothing(rows) -> None:
    assert rows["Turkish"]["focus_overlap"] == 1.0
    assert rows["Turkish"]["novel_words"] == 0.0
    assert rows["the Turkish city of Gaziantep"]["novel_words"] == 1.0


def test_the_answer_adds_words_of_its_own(rows) -> None:
    assert rows["Gaziantep"]["focus_overlap"] == 0.0
    assert rows["Gaziantep"]["novel_words"] == 1.0
    assert rows["WBS radio"]["novel_words"] == 2.0
    assert rows["The fighters"]["overlap_lexical"] == 1.0
    assert rows["The fighters"]["novel_words"] == 0.0


def test_distances_from_roots_match_tree_distance() -> None:
    from qa.nlp import load_spacy
    from qa.readers.features import _depths, _distances_from, _tree_distance

    doc = load_spacy()("Officials said that Armenian forces fired missiles on Ganja. It burns.")
    for sentence in doc.sents:
        chains = _depths(sentence)
        roots = [sentence.start, sentence.root.i, sentence.end - 1]
        table = _distances_from(chains, sentence, roots)
        for r, root in enumerate(roots):
            expected = [_tree_distance(chains, root, t.i) for t in sentence]
            assert table[r].tolist() == expected
    # Chains cut at the span's edge never meet: the sum of their lengths, as before.
    part = doc[0:3]  # "Officials said that": "that" hangs from "fired", outside
    chains = _depths(part)
    table = _distances_from(chains, part, [0, 2])
    assert table.tolist() == [[_tree_distance(chains, r, t.i) for t in part] for r in (0, 2)]
    assert table[1, 0] == len(chains[2]) + len(chains[0])


def test_segment_means_equal_one_mean_per_candidate() -> None:

    from qa.readers.features import _segment_means

    rng = np.random.default_rng(3)
    values = rng.normal(size=40).astype(np.float32)
    lists = [rng.integers(0, 40, size=int(k)).tolist() for k in rng.integers(0, 20, size=30)]
    groups = []
    for length in sorted({len(x) for x in lists} - {0}):
        rows = np.array([i for i, x in enumerate(lists) if len(x) == length])
        groups.append((rows, np.array([lists[i] for i in rows])))
    got = _segment_means(values, groups, len(lists)).astype(np.float32)
    expected = np.array([values[x].mean() if x else 0.0 for x in lists], dtype=np.float32)
    assert np.array_equal(got, expected)


def test_an_ordinal_does_not_count() -> None:
    text = "In the first week, 1,300 fighters from Syrian militias deployed."
    question = QuestionAnalyzer().run("How many fighters deployed?")
    found = FeatureExtractor(use_embeddings=False).run(question, [Passage("d", 0, len(text), text)])
    match = {span: float(found.column("type_match")[i]) for i, span in enumerate(found.texts)}
    assert match["first"] < 0.5
    assert match["first week"] < 0.5
    assert match["1,300"] == 1.0


ACRONYM_TEXT = "Kaloria News, close to the National Rail Workers Union, warned of strikes."


def test_a_names_initials_are_its_acronym() -> None:
    doc = load_spacy()(ACRONYM_TEXT)
    found = acronyms(list(doc))
    assert doc[found["nrwu"][0] : found["nrwu"][-1] + 1].text == "National Rail Workers Union"
    # Two initials would match ordinary words: only names of three words or more.
    assert "kn" not in found


def test_an_acronym_in_the_question_is_the_name_it_stands_for() -> None:
    question = QuestionAnalyzer().run("Which outlet is close to the NRWU?")
    found = FeatureExtractor(use_embeddings=False).run(
        question, [Passage("d", 0, len(ACRONYM_TEXT), ACRONYM_TEXT)]
    )
    union = found.texts.index("the National Rail Workers Union")
    outlet = found.texts.index("Kaloria News")
    # The name is found, so the sentence covers the question's key word ...
    assert found.column("key_coverage")[outlet] == 1.0
    # ... and the name only repeats the question.
    assert found.column("overlap_lexical")[union] == 1.0
    assert found.column("novel_words")[union] == 0.0


CAPITAL_TEXT = "Oslo has called for talks, while Lund stayed silent."


def test_a_capital_covers_its_countrys_name_in_the_question() -> None:
    question = QuestionAnalyzer().run("What has Norway called for?")
    found = FeatureExtractor(use_embeddings=False).run(
        question, [Passage("d", 0, len(CAPITAL_TEXT), CAPITAL_TEXT)]
    )
    assert found.column("key_coverage")[found.texts.index("talks")] == 1.0
    other = QuestionAnalyzer().run("What has Sweden called for?")
    found = FeatureExtractor(use_embeddings=False).run(
        other, [Passage("d", 0, len(CAPITAL_TEXT), CAPITAL_TEXT)]
    )
    assert found.column("key_coverage")[found.texts.index("talks")] == 0.0


UNNAMED_SOURCE = "Farmers are selling grain to the mills, the paper added."


def test_an_unnamed_speaker_stands_for_the_source_the_question_cites() -> None:
    passage = [Passage("d", 0, len(UNNAMED_SOURCE), UNNAMED_SOURCE)]
    cited = QuestionAnalyzer().run("What are farmers selling, according to Harbour Post?")
    found = FeatureExtractor(use_embeddings=False).run(cited, passage)
    assert found.column("key_coverage")[found.texts.index("grain")] == 1.0
    # A name the question needs for its own fact is still missing.
    other = QuestionAnalyzer().run("What are Harbour Post farmers selling?")
    found = FeatureExtractor(use_embeddings=False).run(other, passage)
    assert found.column("key_coverage")[found.texts.index("grain")] == 0.0
    # And a sentence nobody is said to speak vouches for no source.
    plain = "Farmers are selling grain to the mills."
    found = FeatureExtractor(use_embeddings=False).run(cited, [Passage("d", 0, len(plain), plain)])
    assert found.column("key_coverage")[found.texts.index("grain")] == 0.0


NATIONALITY = "Norwegian Defense Ministry spokeswoman Sara Lind blamed the artillery."


@pytest.mark.parametrize(
    ("question", "covered"),
    [
        # A country that says whose the ministry is: the nationality names it.
        ("Who speaks for Norway's defense ministry?", 1.0),
        # Another country, or a country that says where: not covered.
        ("Who speaks for Sweden's defense ministry?", 0.0),
        ("Who blamed the artillery in Norway?", 0.0),
    ],
)
def test_a_nationality_covers_the_country_that_qualifies(question: str, covered: float) -> None:
    found = FeatureExtractor(use_embeddings=False).run(
        QuestionAnalyzer().run(question), [Passage("d", 0, len(NATIONALITY), NATIONALITY)]
    )
    assert found.column("key_coverage")[found.texts.index("Sara Lind")] == covered


def test_an_ordinal_is_no_key_word() -> None:
    text = "A new truce was brokered by the Lund Group."
    question = QuestionAnalyzer().run("Who brokered the second truce?")
    found = FeatureExtractor(use_embeddings=False).run(question, [Passage("d", 0, len(text), text)])
    assert found.column("key_coverage")[found.texts.index("the Lund Group")] == 1.0
