"""Features of candidate answers: what the learned reader's scorer looks at.

For one question and its retrieved passages, :class:`FeatureExtractor` proposes candidate
spans (:class:`~qa.readers.candidates.CandidateGenerator`) and describes each with a fixed
vector: does it have the expected answer type, how well does its sentence cover the
question (lemmas, and MiniLM contextual token vectors for paraphrase), how far is it in
the dependency tree from the words aligned with the question's verb, does it play the
wh-phrase's role there, does it repeat the question, how was its sentence retrieved, and
how similar is the question with the candidate filled in to the sentence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from spacy.tokens import Span, Token

from qa.answers import Passage
from qa.embedding import MiniLMEncoder, TextEmbedder
from qa.gazetteer import country_of, place_aliases
from qa.nlp import ORDINAL_WORDS, load_spacy
from qa.readers.candidates import (
    EXTENDED_KINDS,
    CachedCandidates,
    Candidate,
    CandidateGenerator,
    SentenceCache,
)
from qa.readers.question import SAY_VERBS, FineType, Question, WhRole
from qa.readers.token_encoder import TokenEncoder

# Entity labels, grouped the way answer types use them.
_LABELS = (
    "PERSON",
    "ORG",
    "GPE",
    "LOC",
    "NORP",
    "FAC",
    "DATE",
    "TIME",
    "CARDINAL",
    "QUANT",  # QUANTITY, MONEY, PERCENT
    "ORDINAL",
    "OTHER",
)
_LABEL_GROUP = {"QUANTITY": "QUANT", "MONEY": "QUANT", "PERCENT": "QUANT"}
_POS = ("NOUN", "PROPN", "PRON", "NUM", "VERB", "ADJ", "ADV", "ADP")
_ROLES = ("subj", "obj", "pobj", "attr", "appos", "mod", "adv", "clause", "conj", "other")
_ROLE_OF_DEP = {
    "nsubj": "subj",
    "nsubjpass": "subj",
    "csubj": "subj",
    "agent": "subj",
    "expl": "subj",
    "dobj": "obj",
    "dative": "obj",
    "oprd": "obj",
    "pobj": "pobj",
    "pcomp": "pobj",
    "attr": "attr",
    "acomp": "attr",
    "appos": "appos",
    "compound": "mod",
    "amod": "mod",
    "nmod": "mod",
    "poss": "mod",
    "nummod": "mod",
    "quantmod": "mod",
    "npadvmod": "adv",
    "advmod": "adv",
    "prep": "adv",
    "ccomp": "clause",
    "xcomp": "clause",
    "advcl": "clause",
    "relcl": "clause",
    "acl": "clause",
    "conj": "conj",
}
# Which candidate roles fit which wh-roles.
_ROLE_FIT = {
    WhRole.SUBJECT: {"subj"},
    WhRole.OBJECT: {"obj", "clause", "attr"},
    WhRole.PREP_OBJECT: {"pobj"},
    WhRole.ATTRIBUTE: {"attr", "appos", "subj", "mod"},
    WhRole.ADVERBIAL: {"pobj", "adv", "clause", "mod"},
    WhRole.OTHER: set(),
}
_TYPE_LABELS: dict[FineType, dict[str, float]] = {
    FineType.PERSON: {"PERSON": 1.0, "ORG": 0.7, "NORP": 0.6, "GPE": 0.3},
    FineType.ORGANIZATION: {"ORG": 1.0, "PERSON": 0.5, "GPE": 0.5, "NORP": 0.5},
    FineType.PLACE: {"GPE": 1.0, "LOC": 1.0, "FAC": 0.9, "ORG": 0.3},
    FineType.TIME: {"DATE": 1.0, "TIME": 1.0},
    FineType.NUMBER: {"CARDINAL": 1.0, "QUANT": 1.0, "DATE": 0.3, "ORDINAL": 0.2},
    FineType.NATIONALITY: {"NORP": 1.0, "GPE": 0.5},
}
_TYPE_KINDS: dict[FineType, dict[str, float]] = {
    FineType.NUMBER: {"number": 1.0, "number_noun": 0.8},
    FineType.ADJECTIVE: {"adj": 1.0, "adv": 0.6},
    FineType.MANNER: {"adv": 1.0, "pp": 0.7, "adj": 0.5},
    FineType.REASON: {"clause": 1.0, "clause_full": 1.0, "pp": 0.5, "vp": 0.5},
    FineType.ACTION: {"vp": 1.0, "vp_full": 0.9, "clause": 0.8},
    FineType.STATEMENT: {"clause": 1.0, "clause_full": 0.8, "vp": 0.5},
    FineType.THING: {"np": 1.0, "conj": 1.0, "coord": 1.0, "entity": 0.9, "np_cut": 0.8},
}
_PERSON_PRONOUNS = {"he", "she", "they", "him", "her", "them", "we", "us", "i", "you", "it"}
_STOP_LEMMAS = {"be", "have", "do", "say", "according", "article", "-PRON-"}
_WH_PHRASE_WORDS = {"who", "what", "which", "when", "where", "how", "whose", "kind", "type", "sort"}

QUESTION_FEATURES = [f"q_type={t.value}" for t in FineType] + [f"q_role={r.value}" for r in WhRole]
CANDIDATE_FEATURES = (
    [f"label={x}" for x in (*_LABELS, "NONE")]
    + ["entity_exact"]
    + [f"kind={k}" for k in EXTENDED_KINDS]
    + [f"pos={p}" for p in (*_POS, "other")]
    + [f"role={r}" for r in _ROLES]
    + [
        "type_match",
        "type_label_match",
        "type_kind_match",
        "role_fit",
        "prep_match",
        "gov_sim",
        "gov_lexical",
        "gov_is_aligned",
        "dep_dist_gov",
        "dep_dist_min",
        "lin_dist_min",
        "aligned_window",
        "focus_sim",
        "focus_neighbour_sim",
        "focus_lexical",
        "overlap_lexical",
        "overlap_soft",
        "any_overlap",
        "focus_overlap",
        "novel_words",
        "length",
        "log_chars",
        "has_comma",
        "has_verb",
        "starts_adp",
        "pronoun_only",
        "in_quotes",
        "n_kinds",
        "rank",
        "retrieval",
        "similarity",
        "coverage",
        "coverage_soft",
        "key_coverage",
        "key_coverage_context",
        "sentence_length",
        "coverage_gap",
        "similarity_gap",
        "type_available",
        "type_match_rank",
        "gov_dist_rank",
        "filled_sim",
        "filled_gain",
        "filled_rank",
    ]
)
FEATURE_NAMES = QUESTION_FEATURES + CANDIDATE_FEATURES
# Column of each feature in a candidate matrix (the readings and the reader read them too).
FEATURE_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}
_COL = {name: len(QUESTION_FEATURES) + i for i, name in enumerate(CANDIDATE_FEATURES)}
# Every kind an answer type weighs, as columns of a per-sentence indicator matrix.
_KIND_VOCAB = tuple(sorted({k for weights in _TYPE_KINDS.values() for k in weights}))
_ROLE_FIT_TABLE = {
    role: np.array([r in fits for r in _ROLES], dtype=bool) for role, fits in _ROLE_FIT.items()
}


@dataclass
class CandidateSet:
    """The candidates of one question and their feature matrix (one row each)."""

    question: Question
    candidates: list[Candidate]
    passages: list[Passage]
    passage_of: list[int]
    """Index into ``passages`` of each candidate's passage."""
    features: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> np.ndarray:
        return self.features[:, FEATURE_INDEX[name]]

    @cached_property
    def texts(self) -> list[str]:
        # Read several times per question; a span's text is rebuilt from its tokens each time.
        return [c.span.text for c in self.candidates]

    def __len__(self) -> int:
        return len(self.candidates)


def _label_of(candidate: Candidate) -> tuple[str, bool]:
    """The entity label group of a candidate and whether it is exactly that entity."""
    span = candidate.span
    if candidate.label:
        label = candidate.label
        exact = "entity" in candidate.kinds or candidate.kind == "entity"
    else:
        label = span.root.ent_type_
        exact = False
    if not label:
        return "NONE", False
    label = _LABEL_GROUP.get(label, label)
    return (label if label in _LABELS else "OTHER"), exact


def _governor(token: Token) -> tuple[Token | None, str, str]:
    """The word a candidate depends on, its role there, and the preposition if any."""
    current = token
    # An item of a coordination plays the role of the first item.
    while current.dep_ == "conj" and current.head.i != current.i:
        current = current.head
    dep = current.dep_
    role = _ROLE_OF_DEP.get(dep, "other")
    head = current.head if current.head.i != current.i else None
    prep = ""
    if dep in {"pobj", "pcomp"} and head is not None:
        prep = head.lower_
        head = head.head if head.head.i != head.i else None
    if dep == "appos" and head is not None:
        # "Ganja, Azerbaijan's second-largest city": the apposition stands for its head.
        role = _ROLE_OF_DEP.get(head.dep_, "other")
    return head, role, prep


def _depths(sentence: Span) -> dict[int, list[int]]:
    """Each token's chain of ancestors within the sentence, itself first."""
    chains: dict[int, list[int]] = {}
    for token in sentence:
        chain = [token.i]
        current = token
        while current.head.i != current.i and sentence.start <= current.head.i < sentence.end:
            current = current.head
            chain.append(current.i)
            if len(chain) > 200:
                break
        chains[token.i] = chain
    return chains


def _tree_distance(chains: dict[int, list[int]], a: int, b: int) -> int:
    if a == b:
        return 0
    ca, cb = chains.get(a), chains.get(b)
    if ca is None or cb is None:
        return 20
    positions = {node: k for k, node in enumerate(ca)}
    for k, node in enumerate(cb):
        if node in positions:
            return positions[node] + k
    return len(ca) + len(cb)


def _distances_from(
    chains: dict[int, list[int]], sentence: Span, roots: Sequence[int]
) -> np.ndarray:
    """``_tree_distance`` from each of ``roots`` (tokens of ``sentence``) to every token
    of it, one row per root, in sentence positions.

    The first node of one chain that is in the other is their lowest common ancestor,
    where the sum of the two positions is smallest; chains that never meet give the sum
    of their lengths, as in ``_tree_distance``.
    """
    start, n = sentence.start, len(sentence)
    unreachable = 1 << 30
    position = np.full((n, n), unreachable, dtype=np.int64)  # [token, ancestor]: its step
    lengths = np.zeros(n, dtype=np.int64)
    for j in range(n):
        chain = chains[start + j]
        position[j, [node - start for node in chain]] = np.arange(len(chain))
        lengths[j] = len(chain)
    out = np.empty((len(roots), n), dtype=np.int32)
    for r, root in enumerate(roots):
        chain = [node - start for node in chains[root]]
        met = (position[:, chain] + np.arange(len(chain))).min(axis=1)
        out[r] = np.where(met >= unreachable, len(chain) + lengths, met)
    return out


def _segment_means(
    values: np.ndarray, groups: Sequence[tuple[np.ndarray, np.ndarray]], count: int
) -> np.ndarray:
    """``values[positions].mean()`` of each of ``count`` candidates, 0 for those in no
    group.

    ``groups`` holds ``(candidates, positions)`` pairs, ``positions`` of shape
    (candidates, length): candidates grouped by how many positions they have. The mean
    of each row of a C-ordered matrix sums the same way as the mean of that row alone,
    so every result equals the one-candidate ``values[positions_row].mean()`` bit for bit
    once rounded to the values' precision.
    """
    out = np.zeros(count)
    for rows, positions in groups:
        # What `mean` does, without its per-call overhead: the sum in the values' own
        # precision, divided in float64 (the caller rounds it to float32 once, as before).
        out[rows] = np.add.reduce(values[positions], axis=1) / np.float64(positions.shape[1])
    return out


def _is_content(token: Token) -> bool:
    return not (token.is_stop or token.is_punct or token.is_space) and (
        token.lemma_.lower() not in _STOP_LEMMAS
    )


@dataclass
class _CandidateInfo:
    """What a candidate's features need that does not depend on the question."""

    label: str
    exact_entity: bool
    root: Token
    head: Token | None
    role: str
    prep: str
    words: list[Token]
    content_words: list[Token]
    row: np.ndarray
    """Its question-independent feature columns (the rest zero)."""


# Small words a name's initials skip: "Centre for Strategic Communications" -> "CSC".
_NAME_LINKS = {"of", "for", "and", "the"}
# Two letters would match ordinary words ("at" of "Atlanta on Thursday").
_MIN_INITIALS = 3


def acronyms(tokens: Sequence[Token]) -> dict[str, list[int]]:
    """The initials (lower case) of each name of three or more capitalised words, with the
    document positions of its words: "the Islamic Revolutionary Guard Corps" ->
    {"irgc": [...]}. Small linking words inside a name ("of", "for") are skipped.

    Example:
        >>> from qa.nlp import load_spacy
        >>> doc = load_spacy()("Troops of the North Atlantic Treaty Organization arrived.")
        >>> sorted(acronyms(list(doc)))
        ['nato', 'tnato']
    """
    found: dict[str, list[int]] = {}
    words: list[Token] = []

    def close() -> None:
        while words and words[-1].lower_ in _NAME_LINKS:
            words.pop()
        # The name may also start after a linking word: "[Troops of the] North Atlantic
        # Treaty Organization".
        starts = [0] + [k + 1 for k, t in enumerate(words) if t.lower_ in _NAME_LINKS]
        for k in starts:
            name = words[k:]
            while name and name[0].lower_ in _NAME_LINKS:
                name = name[1:]
            capitals = [t for t in name if t.lower_ not in _NAME_LINKS]
            if len(capitals) >= _MIN_INITIALS:
                initials = "".join(t.text[0] for t in capitals).lower()
                found.setdefault(initials, []).extend(t.i for t in name)
        words.clear()

    for token in tokens:
        link = token.lower_ in _NAME_LINKS
        capital = token.is_title and token.is_alpha and not link
        if capital or (words and link):
            words.append(token)
        else:
            close()
    close()
    return found


def _place_aliases(tokens: Sequence[Token]) -> dict[int, frozenset[str]]:
    """The other names each proper noun stands for (``qa.gazetteer``), by position in
    ``tokens``: {0: {"turkey"}} for "Ankara has called ..."."""
    return {
        j: names
        for j, t in enumerate(tokens)
        if t.pos_ == "PROPN" and (names := place_aliases(t.text))
    }


@dataclass
class _SentenceInfo:
    """A sentence's question-independent features, computed once (see ``SentenceCache``)."""

    tokens: list[Token]
    lemmas: list[str]
    lowers: list[str]
    content_mask: np.ndarray
    context_lemmas: set[str]
    chains: dict[int, list[int]]
    candidates: dict[tuple[int, int], _CandidateInfo]
    lemma_set: frozenset[str] = frozenset()
    lemma_positions: dict[str, list[int]] = field(default_factory=dict)
    lower_positions: dict[str, list[int]] = field(default_factory=dict)
    acronym_positions: dict[str, list[int]] = field(default_factory=dict)
    """Positions of the words of each name whose initials (``acronyms``) are the key."""
    countries: frozenset[str] = frozenset()
    """The countries the sentence names, nationalities included ("Armenian" names
    Armenia); ``context_countries`` those of its context."""
    context_countries: frozenset[str] = frozenset()
    unnamed_speaker: bool = False
    """Whether someone unnamed ("the paper", "it", "he") says or writes the sentence."""
    order: tuple[Candidate, ...] = ()
    """The candidate list ``arrays`` describes, row by row."""
    arrays: _CandidateArrays | None = None

    def arrays_for(self, sentence: Span, candidates: list[Candidate]) -> _CandidateArrays:
        """Row-aligned arrays of ``candidates``: those kept for the cached list, or built
        now (from this info's candidates when it has them all, as before, else afresh)."""
        if (
            self.arrays is not None
            and len(candidates) == len(self.order)
            and all(c is d for c, d in zip(candidates, self.order, strict=True))
        ):
            return self.arrays
        if all(candidate.key in self.candidates for candidate in candidates):
            return _CandidateArrays.of(sentence, candidates, self.candidates, self.chains)
        fresh = _SentenceInfo.of(sentence, candidates)
        assert fresh.arrays is not None
        return fresh.arrays

    @classmethod
    def of(cls, sentence: Span, candidates: Sequence[Candidate]) -> _SentenceInfo:
        tokens = list(sentence)
        start = sentence.start
        doc = sentence.doc
        context = doc[max(0, start - 60) : min(len(doc), sentence.end + 30)]
        offset = len(QUESTION_FEATURES)
        col = {name: offset + i for i, name in enumerate(CANDIDATE_FEATURES)}
        quote_chars = {'"', "“", "”"}
        infos: dict[tuple[int, int], _CandidateInfo] = {}
        for candidate in candidates:
            span = candidate.span
            a = span.start - start
            f = np.zeros(len(FEATURE_NAMES), dtype=np.float32)
            label, exact_entity = _label_of(candidate)
            f[col[f"label={label}"]] = 1.0
            f[col["entity_exact"]] = float(exact_entity)
            for kind in candidate.kinds or {candidate.kind}:
                if f"kind={kind}" in col:
                    f[col[f"kind={kind}"]] = 1.0
            root = span.root
            pos = root.pos_ if root.pos_ in _POS else "other"
            f[col[f"pos={pos}"]] = 1.0
            head, role, prep = _governor(root)
            if "pp" in candidate.kinds:
                role, prep = "pobj", span[0].lower_
                head = span[0].head if span[0].head.i != span[0].i else None
            f[col[f"role={role}"]] = 1.0
            span_tokens = list(span)
            words = [t for t in span_tokens if not (t.is_punct or t.is_space)]
            content_words = [t for t in words if _is_content(t)] or words
            f[col["length"]] = len(words)
            f[col["log_chars"]] = math.log1p(len(span.text))
            f[col["has_comma"]] = float(any(t.text == "," for t in span_tokens))
            f[col["has_verb"]] = float(any(t.pos_ == "VERB" for t in span_tokens))
            f[col["starts_adp"]] = float(span_tokens[0].pos_ == "ADP")
            f[col["pronoun_only"]] = float(all(t.pos_ in {"PRON", "DET"} for t in words))
            f[col["in_quotes"]] = float(
                (a > 0 and tokens[a - 1].text in quote_chars)
                or any(t.text in quote_chars for t in span_tokens)
            )
            f[col["n_kinds"]] = len(candidate.kinds)
            infos[candidate.key] = _CandidateInfo(
                label, exact_entity, root, head, role, prep, words, content_words, f
            )
        lemmas = [t.lemma_.lower() for t in tokens]
        lowers = [t.lower_ for t in tokens]
        lemma_positions: dict[str, list[int]] = {}
        lower_positions: dict[str, list[int]] = {}
        for j, (lemma, lower) in enumerate(zip(lemmas, lowers, strict=True)):
            lemma_positions.setdefault(lemma, []).append(j)
            lower_positions.setdefault(lower, []).append(j)
        # A name's initials match the question's acronym: "IRGC" is "the Islamic
        # Revolutionary Guard Corps" (aligned with all its words).
        named = {k: [p - start for p in v] for k, v in acronyms(tokens).items()}
        for acronym, positions in named.items():
            lemma_positions.setdefault(acronym, []).extend(positions)
        # "Ankara has called for ..." speaks of Turkey: a capital covers its country's name
        # in a question, and a country its capital's.
        places = _place_aliases(tokens)
        for j, names in places.items():
            for name in names:
                lemma_positions.setdefault(name, []).append(j)
        chains = _depths(sentence)
        arrays = _CandidateArrays.of(sentence, candidates, infos, chains)
        # The rows live on in the stacked block only (same values), not twice per sentence.
        for k, candidate in enumerate(candidates):
            infos[candidate.key].row = arrays.block[k]
        return cls(
            tokens=tokens,
            lemmas=lemmas,
            lowers=lowers,
            content_mask=np.array([_is_content(t) for t in tokens]),
            context_lemmas={t.lemma_.lower() for t in context}
            | set(acronyms(list(context)))
            | {name for names in _place_aliases(list(context)).values() for name in names},
            chains=chains,
            candidates=infos,
            unnamed_speaker=_unnamed_speaker(tokens),
            countries=_countries(tokens),
            context_countries=_countries(list(context)),
            lemma_set=frozenset(lemmas)
            | frozenset(named)
            | {name for names in places.values() for name in names},
            lemma_positions=lemma_positions,
            lower_positions=lower_positions,
            acronym_positions=named,
            order=tuple(candidates),
            arrays=arrays,
        )


@dataclass
class _CandidateArrays:
    """The question-independent parts of a sentence's candidates, one row each, so that
    the per-question features are array operations rather than a loop over candidates.

    Positions are in the sentence (token index minus its start); -1 is "none".
    """

    block: np.ndarray
    """The candidates' question-independent rows (``_CandidateInfo.row``), stacked."""
    start: np.ndarray
    end: np.ndarray
    root: np.ndarray
    head: np.ndarray
    """The governor's position, -1 when it has none in the sentence."""
    labels: list[str]
    label_factor: np.ndarray
    """1, or 0.6 for a span inside an entity rather than the entity itself."""
    pronoun_root: np.ndarray
    kinds: np.ndarray
    """(candidates, ``_KIND_VOCAB``): the kinds it was found as."""
    roles: np.ndarray
    """Index into ``_ROLES``."""
    preps: list[str]
    neighbours: np.ndarray
    """(candidates, k): the root's head and appositions/compounds, padded with n."""
    has_neighbours: np.ndarray
    content: np.ndarray
    """The content words' positions, candidate after candidate."""
    content_of: np.ndarray
    """The candidate of each entry of ``content``."""
    n_content: np.ndarray
    content_groups: list[tuple[np.ndarray, np.ndarray]]
    """``(candidates, positions)`` per content-word count, for ``_segment_means``."""
    distances: np.ndarray
    """(candidates, n): tree distance from the candidate's root to each token."""
    texts: list[str]
    """The spans' texts (a span's text is rebuilt from its tokens at every call)."""

    @classmethod
    def of(
        cls,
        sentence: Span,
        candidates: Sequence[Candidate],
        infos: dict[tuple[int, int], _CandidateInfo],
        chains: dict[int, list[int]],
    ) -> _CandidateArrays:
        start, n = sentence.start, len(sentence)
        static = [infos[candidate.key] for candidate in candidates]
        count = len(candidates)
        neighbour_lists = []
        content_lists = []
        for known in static:
            root = known.root
            neighbours = [root.head] if root.head.i != root.i else []
            neighbours += [c for c in root.children if c.dep_ in {"appos", "compound"}]
            neighbour_lists.append(
                [t.i - start for t in neighbours if sentence.start <= t.i < sentence.end]
            )
            content_lists.append([t.i - start for t in known.content_words])
        width = max((len(x) for x in neighbour_lists), default=0)
        neighbours = np.full((count, max(width, 1)), n, dtype=np.intp)
        for row, found in enumerate(neighbour_lists):
            neighbours[row, : len(found)] = found
        n_content = np.array([len(x) for x in content_lists], dtype=np.intp)
        groups = []
        for length in sorted(set(n_content.tolist()) - {0}):
            rows = np.flatnonzero(n_content == length)
            groups.append((rows, np.array([content_lists[r] for r in rows], dtype=np.intp)))
        roots = [known.root.i for known in static]
        unique_roots = sorted(set(roots))
        by_root = _distances_from(chains, sentence, unique_roots) if count else np.zeros((0, n))
        slot = {root: k for k, root in enumerate(unique_roots)}
        heads = [
            known.head.i - start
            if known.head is not None and sentence.start <= known.head.i < sentence.end
            else -1
            for known in static
        ]
        return cls(
            block=(
                np.vstack([known.row for known in static])
                if count
                else np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
            ),
            start=np.array([c.span.start - start for c in candidates], dtype=np.intp),
            end=np.array([c.span.end - start for c in candidates], dtype=np.intp),
            root=np.array([r - start for r in roots], dtype=np.intp),
            head=np.array(heads, dtype=np.intp),
            labels=[known.label for known in static],
            label_factor=np.array(
                [
                    0.6 if known.label != "NONE" and not known.exact_entity else 1.0
                    for known in static
                ]
            ),
            pronoun_root=np.array(
                [known.root.lower_ in _PERSON_PRONOUNS for known in static], dtype=bool
            ),
            kinds=np.array(
                [[k in c.kinds for k in _KIND_VOCAB] for c in candidates], dtype=bool
            ).reshape(count, len(_KIND_VOCAB)),
            roles=np.array([_ROLES.index(known.role) for known in static], dtype=np.intp),
            preps=[known.prep for known in static],
            neighbours=neighbours,
            has_neighbours=np.array([bool(x) for x in neighbour_lists], dtype=bool),
            content=np.array([j for x in content_lists for j in x], dtype=np.intp),
            content_of=np.repeat(np.arange(count), n_content),
            n_content=n_content,
            content_groups=groups,
            distances=(
                by_root[[slot[r] for r in roots]] if count else np.zeros((0, n), dtype=np.int32)
            ),
            texts=[c.span.text for c in candidates],
        )


def _countries(tokens: Sequence[Token]) -> frozenset[str]:
    """The countries capitalised words name: "Armenia", "Armenian", "Azeri"."""
    return frozenset(
        country
        for t in tokens
        if t.pos_ in {"PROPN", "ADJ"} and t.text[:1].isupper() and (country := country_of(t.text))
    )


def _source_lemmas(question: Question) -> set[str]:
    """Lemmas of the source an "according to X" phrase of the question names."""
    return {
        t.lemma_.lower()
        for token in question.doc
        if token.lower_ == "according" and token.i + 1 < len(question.doc)
        for pobj in question.doc[token.i + 1].children
        if pobj.dep_ == "pobj"
        for t in pobj.subtree
    }


def _unnamed_speaker(tokens: list[Token]) -> bool:
    """Whether a verb of saying in the sentence has a pronoun or a common noun ("the
    paper") for its subject: a source named elsewhere."""
    return any(
        t.lemma_ in SAY_VERBS
        and any(
            c.dep_ == "nsubj" and (c.pos_ == "PRON" or (c.pos_ == "NOUN" and c.ent_type_ == ""))
            for c in t.children
        )
        for t in tokens
    )


@dataclass
class _QuestionView:
    question: Question
    content: list[Token]
    content_vectors: np.ndarray
    lemmas: set[str]
    wh_lemmas: set[str]
    """Words of the wh-phrase ("which *Turkish city*"): they name the answer's kind."""
    key_lemmas: set[str]
    key_countries: dict[str, str]
    """The key words that qualify a noun by a country, and the country."""
    source_lemmas: set[str]
    """Key words of the source the question cites ("according to *Kommersant*")."""
    governor: Token | None
    governor_vector: np.ndarray | None
    focus: Token | None
    focus_vector: np.ndarray | None
    content_lemmas: list[str] = field(default_factory=list)
    content_lowers: list[str] = field(default_factory=list)


class FeatureExtractor:
    """Candidates and their feature vectors for one question.

    Args:
        embedder: MiniLM, shared with retrieval (token alignment, filled questions).
        max_passages: how many of the retrieved passages are read.
        filled_candidates: how many candidates (chosen by a fixed pre-score) get the
            "filled question" similarity; the rest get NaN, which the scorer handles.
        use_embeddings: False skips MiniLM entirely (for ablations and fast tests).

    Example:
        >>> extractor = FeatureExtractor(TextEmbedder())
        >>> q = QuestionAnalyzer().run("How many civilians were killed?")  # doctest: +SKIP
        >>> extractor.run(q, passages).features.shape  # doctest: +SKIP
        (57, 130)
    """

    def __init__(
        self,
        embedder: MiniLMEncoder | None = None,
        max_passages: int = 5,
        filled_candidates: int = 12,
        use_embeddings: bool = True,
    ) -> None:
        self.embedder = embedder or TextEmbedder()
        self.encoder = TokenEncoder(self.embedder)
        # Candidates and their question-independent features depend only on the sentence.
        self.generator = CachedCandidates(CandidateGenerator(extended=True), maxsize=1024)
        self._sentence_info: SentenceCache[_SentenceInfo] = SentenceCache(1024)
        self.max_passages = max_passages
        self.filled_candidates = filled_candidates
        self.use_embeddings = use_embeddings

    def warm_up(self) -> None:
        load_spacy()
        if self.use_embeddings:
            self.embedder.warm_up()

    # -- per question ------------------------------------------------------------------------

    def run(self, question: Question, passages: Sequence[Passage]) -> CandidateSet:
        passages = list(passages[: self.max_passages])
        sentences = [self._sentence(p) for p in passages]
        pooled = None
        if self.use_embeddings and sentences:
            vectors, pooled = self.encoder.run_with_sentences(
                [question.doc[:], *sentences], cached=[False] + [True] * len(sentences)
            )
            q_vectors, s_vectors = vectors[0], vectors[1:]
        else:
            q_vectors = np.zeros((len(question.doc), 1), dtype=np.float32)
            s_vectors = [np.zeros((len(s), 1), dtype=np.float32) for s in sentences]
        view = self._question_view(question, q_vectors)

        rows: list[np.ndarray] = []
        candidates: list[Candidate] = []
        passage_of: list[int] = []
        texts: list[str] = []
        for p_index, (passage, sentence, vectors) in enumerate(
            zip(passages, sentences, s_vectors, strict=True)
        ):
            found = self.generator.run(sentence)
            if not found:
                continue
            block = self._passage_features(view, passage, sentence, vectors, found)
            rows.append(block)
            candidates.extend(found)
            passage_of.extend([p_index] * len(found))
            texts.extend(self._texts(sentence, found))
        empty = np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
        features = np.vstack(rows) if rows else empty
        result = CandidateSet(question, candidates, passages, passage_of, features)
        # The texts kept with the sentence, in place of `texts` building them again.
        vars(result)["texts"] = texts
        if len(candidates):
            _demote_ordinals(result)
            self._relative(result)
            self._filled(result, pooled)
        return result

    def _texts(self, sentence: Span, candidates: list[Candidate]) -> list[str]:
        """The candidates' texts, kept with the sentence's info (filled by
        ``_passage_features``)."""
        info = self._sentence_info.get(sentence, lambda s: _SentenceInfo.of(s, candidates))
        return info.arrays_for(sentence, candidates).texts

    @staticmethod
    def _sentence(passage: Passage) -> Span:
        if passage.parse is not None:
            return passage.parse
        return load_spacy()(passage.text)[:]

    def _question_view(self, question: Question, vectors: np.ndarray) -> _QuestionView:
        doc = question.doc
        inside = range(question.wh_start, question.wh_end) if question.wh_start >= 0 else ()
        content = [
            t
            for t in doc
            if _is_content(t) and t.lower_ not in {"who", "what", "which", "when", "where", "how"}
        ]
        # The focus noun of "which city" names the kind of answer, not a fact to find.
        content = [t for t in content if t.i not in inside or t.pos_ in {"PROPN"}]
        content_vectors = (
            vectors[[t.i for t in content]] if content else np.zeros((0, vectors.shape[1]))
        )
        # Questions are parsed without entities (`QuestionAnalyzer`): names by their tags.
        # An ordinal tells things apart ("the second truce"), it names nothing to find.
        key = {
            t.lemma_.lower()
            for t in content
            if (t.pos_ in {"PROPN", "NUM"} or t.like_num) and t.lower_ not in ORDINAL_WORDS
        }
        # "Armenia's defense ministry" is covered by "the Armenian Defense Ministry": a
        # country that says whose something is, not where (not "killed in Armenia").
        key_countries = {
            t.lemma_.lower(): country
            for t in content
            if t.lemma_.lower() in key
            and t.dep_ in {"poss", "compound", "amod"}
            and (country := country_of(t.text))
        }
        governor = doc[question.governor] if question.governor >= 0 else None
        if governor is not None and not _is_content(governor):
            governor = None
        focus = doc[question.focus] if question.focus >= 0 else None
        return _QuestionView(
            question=question,
            content=content,
            content_vectors=content_vectors,
            lemmas={t.lemma_.lower() for t in content} | {t.lower_ for t in content},
            wh_lemmas={
                form
                for t in doc[question.wh_start : question.wh_end]
                if _is_content(t) and t.lower_ not in _WH_PHRASE_WORDS
                for form in (t.lemma_.lower(), t.lower_)
            },
            key_lemmas=key,
            key_countries=key_countries,
            source_lemmas=key & _source_lemmas(question),
            governor=governor,
            governor_vector=vectors[governor.i] if governor is not None else None,
            focus=focus,
            focus_vector=vectors[focus.i] if focus is not None else None,
            content_lemmas=[t.lemma_.lower() for t in content],
            content_lowers=[t.lower_ for t in content],
        )

    # -- per passage -------------------------------------------------------------------------

    def _passage_features(
        self,
        view: _QuestionView,
        passage: Passage,
        sentence: Span,
        vectors: np.ndarray,
        candidates: list[Candidate],
    ) -> np.ndarray:
        question = view.question
        start = sentence.start
        # The candidates come from the sentence cache, so its info covers all of them.
        info = self._sentence_info.get(sentence, lambda s: _SentenceInfo.of(s, candidates))
        tokens, lemmas, lowers = info.tokens, info.lemmas, info.lowers
        content_mask = info.content_mask
        n = len(tokens)

        # Lexical alignment of the question's content words.
        content_lemmas = set(view.content_lemmas)
        coverage = len(content_lemmas & info.lemma_set) / max(1, len(content_lemmas))
        soft = np.zeros((len(view.content), n), dtype=np.float32)
        if self.use_embeddings and len(view.content) and n:
            soft = view.content_vectors @ vectors.T
            soft[:, ~content_mask] = 0.0
        exact = np.zeros((len(view.content), n), dtype=np.float32)
        for i, (q_lemma, q_lower) in enumerate(
            zip(view.content_lemmas, view.content_lowers, strict=True)
        ):
            exact[i, info.lemma_positions.get(q_lemma, [])] = 1.0
            exact[i, info.lower_positions.get(q_lower, [])] = 1.0
        align = np.maximum(exact, soft)
        coverage_soft = float(align.max(axis=1).mean()) if align.size else 0.0
        aligned = np.zeros(n, dtype=bool)
        if align.size:
            aligned = (align >= 0.6).any(axis=0) & content_mask
            aligned |= (exact > 0).any(axis=0)
        aligned_idx = np.flatnonzero(aligned)

        key = view.key_lemmas
        # A source the question cites is often named a sentence or two before one that
        # is only "the paper added": an unnamed speaker stands for it.
        cited = view.source_lemmas if info.unnamed_speaker else set()
        countries = view.key_countries
        named = cited | {k for k, c in countries.items() if c in info.countries}
        key_coverage = len(key & (info.lemma_set | named)) / len(key) if key else 1.0
        context_lemmas = info.context_lemmas
        named = cited | {k for k, c in countries.items() if c in info.context_countries}
        key_coverage_context = len(key & (context_lemmas | named)) / len(key) if key else 1.0

        # The sentence word aligned with the question's verb (or attribute noun).
        gov_pos, gov_sim_vec = -1, None
        g_lemma = view.governor.lemma_.lower() if view.governor is not None else None
        if g_lemma is not None and n:
            lexical = list(info.lemma_positions.get(g_lemma, []))
            if len(lexical) > 1 and len(aligned_idx):
                # Of two "backed", the one with more of the question's words around it.
                def support(j: int) -> int:
                    sub = {t.i - start for t in tokens[j].subtree}
                    return sum(1 for k in aligned_idx if k in sub or abs(k - j) <= 4)

                lexical.sort(key=lambda j: -support(j))
            if lexical:
                gov_pos = lexical[0]
            elif self.use_embeddings:
                sims = vectors @ view.governor_vector
                sims[~content_mask] = -1.0
                best = int(np.argmax(sims))
                if sims[best] >= 0.45:
                    gov_pos = best
            if self.use_embeddings:
                gov_sim_vec = vectors @ view.governor_vector

        focus_sims = None
        if self.use_embeddings and view.focus_vector is not None:
            focus_sims = vectors @ view.focus_vector
        focus_lemma = view.focus.lemma_.lower() if view.focus is not None else ""

        q_types = np.zeros(len(QUESTION_FEATURES), dtype=np.float32)
        q_types[QUESTION_FEATURES.index(f"q_type={question.fine_type.value}")] = 1.0
        q_types[QUESTION_FEATURES.index(f"q_role={question.role.value}")] = 1.0

        arrays = info.arrays_for(sentence, candidates)
        block = arrays.block.copy()
        block[:, : len(QUESTION_FEATURES)] = q_types
        col = _COL
        fine = question.fine_type
        type_labels = _TYPE_LABELS.get(fine, {})
        type_kinds = _TYPE_KINDS.get(fine, {})
        a, b = arrays.start, arrays.end
        has_head = arrays.head >= 0
        head = np.where(has_head, arrays.head, 0)

        label_match = np.array([type_labels.get(label, 0.0) for label in arrays.labels])
        label_match = label_match * arrays.label_factor
        kind_weights = np.array([type_kinds.get(k, 0.0) for k in _KIND_VOCAB])
        kind_match = np.where(arrays.kinds, kind_weights, 0.0).max(axis=1)
        if fine in {FineType.PERSON, FineType.ORGANIZATION}:
            label_match[arrays.pronoun_root] = 0.0
        block[:, col["type_label_match"]] = label_match
        block[:, col["type_kind_match"]] = kind_match
        block[:, col["type_match"]] = np.maximum(label_match, kind_match)
        block[:, col["role_fit"]] = _ROLE_FIT_TABLE[question.role][arrays.roles]
        block[:, col["prep_match"]] = [
            bool(prep) and prep == question.preposition for prep in arrays.preps
        ]

        # Where the candidate sits relative to the words the question mentions.
        if g_lemma is not None:
            governs = np.array([lemma == g_lemma for lemma in lemmas], dtype=bool)
            block[:, col["gov_lexical"]] = has_head & governs[head]
        if gov_sim_vec is not None:
            block[:, col["gov_sim"]] = np.where(has_head, gov_sim_vec[head], np.nan)
        else:
            block[:, col["gov_sim"]] = np.where(has_head, 0.0, np.nan)
        block[:, col["gov_is_aligned"]] = has_head & (arrays.head == gov_pos)
        if gov_pos >= 0:
            gov_outside = (gov_pos < a) | (gov_pos >= b)
            dist = arrays.distances[:, gov_pos]
            block[:, col["dep_dist_gov"]] = np.where(gov_outside, dist, np.nan)
        else:
            block[:, col["dep_dist_gov"]] = np.nan
        if len(aligned_idx):
            j = aligned_idx[None, :]
            outside = (j < a[:, None]) | (j >= b[:, None])
            any_outside = outside.any(axis=1)
            far = 1 << 30  # beyond any distance in a sentence
            tree = np.where(outside, arrays.distances[:, aligned_idx], far).min(axis=1)
            linear = np.minimum(np.abs(j - a[:, None]), np.abs(j - (b[:, None] - 1)))
            linear = np.where(outside, linear, far).min(axis=1)
            window = (outside & (j >= a[:, None] - 6) & (j < b[:, None] + 6)).sum(axis=1)
            block[:, col["dep_dist_min"]] = np.where(any_outside, tree, np.nan)
            block[:, col["lin_dist_min"]] = np.where(any_outside, linear, np.nan)
            block[:, col["aligned_window"]] = window
        else:
            block[:, col["dep_dist_min"]] = np.nan
            block[:, col["lin_dist_min"]] = np.nan
        if focus_sims is not None:
            block[:, col["focus_sim"]] = focus_sims[arrays.root]
            padded = np.append(focus_sims, np.float32(-np.inf))
            nearest = padded[arrays.neighbours].max(axis=1)
            block[arrays.has_neighbours, col["focus_neighbour_sim"]] = nearest[
                arrays.has_neighbours
            ]
        if focus_lemma:
            hits = np.concatenate(
                [[0], np.cumsum([lemma == focus_lemma for lemma in lemmas], dtype=np.intp)]
            )
            lo, hi = np.maximum(0, a - 3), np.minimum(n, b + 3)
            block[:, col["focus_lexical"]] = hits[np.maximum(hi, lo)] > hits[lo]

        # Per content word of the span: does it repeat the question, or its wh-phrase?
        pairs = list(zip(lemmas, lowers, strict=True))
        repeats = np.array(
            [lem in view.lemmas or low in view.lemmas for lem, low in pairs], dtype=bool
        )
        for acronym in view.lemmas & info.acronym_positions.keys():
            repeats[info.acronym_positions[acronym]] = True  # "the IRGC" names it again
        names_kind = np.array(
            [lem in view.wh_lemmas or low in view.wh_lemmas for lem, low in pairs], dtype=bool
        )
        words, owner, count = arrays.content, arrays.content_of, len(candidates)
        repeated = np.bincount(owner, weights=repeats[words], minlength=count)
        kind_words = np.bincount(owner, weights=names_kind[words], minlength=count)
        either = np.bincount(owner, weights=(repeats | names_kind)[words], minlength=count)
        per_word = np.maximum(1, arrays.n_content)
        block[:, col["overlap_lexical"]] = repeated / per_word
        block[:, col["any_overlap"]] = repeated > 0
        # "the Turkish city" for "to which Turkish city": a span that only repeats the
        # wh-phrase names the kind of answer, not the answer; "WBS radio" adds a word.
        block[:, col["focus_overlap"]] = kind_words / per_word
        block[:, col["novel_words"]] = np.minimum(10, arrays.n_content - either)
        if self.use_embeddings and len(view.content):
            best_match = soft.max(axis=0)
            block[:, col["overlap_soft"]] = _segment_means(best_match, arrays.content_groups, count)
        block[:, col["rank"]] = passage.rank
        block[:, col["retrieval"]] = passage.score
        block[:, col["similarity"]] = passage.similarity
        block[:, col["coverage"]] = coverage
        block[:, col["coverage_soft"]] = coverage_soft
        block[:, col["key_coverage"]] = key_coverage
        block[:, col["key_coverage_context"]] = key_coverage_context
        block[:, col["sentence_length"]] = n
        return block

    # -- across the question's candidates -----------------------------------------------------

    @staticmethod
    def _relative(result: CandidateSet) -> None:
        """Features that compare a candidate with the question's other candidates."""
        x = result.features
        c = FEATURE_INDEX
        x[:, c["coverage_gap"]] = x[:, c["coverage_soft"]] - x[:, c["coverage_soft"]].max()
        x[:, c["similarity_gap"]] = x[:, c["similarity"]] - x[:, c["similarity"]].max()
        type_match = x[:, c["type_match"]]
        x[:, c["type_available"]] = float(type_match.max() >= 0.99)
        order = np.argsort(-type_match, kind="stable")
        ranks = np.empty(len(order), dtype=np.float32)
        ranks[order] = np.arange(len(order))
        x[:, c["type_match_rank"]] = np.minimum(ranks, 50)
        dist = np.nan_to_num(x[:, c["dep_dist_gov"]], nan=30.0)
        x[:, c["gov_dist_rank"]] = dist - dist.min()

    @staticmethod
    def prescore(x: np.ndarray) -> np.ndarray:
        """A fixed hand-weighted score that picks which candidates get filled questions."""
        c = FEATURE_INDEX
        dist = np.nan_to_num(x[:, c["dep_dist_min"]], nan=10.0)
        return (
            2.0 * x[:, c["type_match"]]
            + 1.5 * x[:, c["coverage_soft"]]
            - 0.3 * x[:, c["rank"]]
            - 0.15 * dist
            - 2.0 * x[:, c["overlap_lexical"]]
            + 0.5 * x[:, c["role_fit"]]
        )

    def _filled(self, result: CandidateSet, pooled: np.ndarray | None) -> None:
        """Similarity of the question, with the candidate in place of its wh-phrase, to the
        candidate's sentence; and its gain over the bare question's similarity.

        ``pooled`` holds the sentence vectors of the question and then of each passage.
        """
        x = result.features
        c = FEATURE_INDEX
        x[:, c["filled_sim"]] = np.nan
        x[:, c["filled_gain"]] = np.nan
        x[:, c["filled_rank"]] = np.nan
        if pooled is None or self.filled_candidates <= 0:
            return
        pre = self.prescore(x)
        chosen = np.argsort(-pre, kind="stable")[: self.filled_candidates]
        question = result.question
        texts = [question.filled(result.candidates[i].span.text) for i in chosen]
        fill_vecs = self.encoder.sentence_vectors(texts)
        q_vec, sent_vecs = pooled[0], pooled[1:]
        passage = np.array([result.passage_of[i] for i in chosen])
        sims = np.einsum("ij,ij->i", fill_vecs, sent_vecs[passage])
        base = sent_vecs[passage] @ q_vec
        x[chosen, c["filled_sim"]] = sims
        x[chosen, c["filled_gain"]] = sims - base
        order = np.argsort(-sims, kind="stable")
        ranks = np.empty(len(order), dtype=np.float32)
        ranks[order] = np.arange(len(order))
        x[chosen, c["filled_rank"]] = ranks


# -- counts are not ranks -------------------------------------------------------------------


def _is_ordinal(token: Token) -> bool:
    """Whether ``token`` is a rank ("first", "2nd"), never an answer to "how many"."""
    lower = token.lower_
    if lower in ORDINAL_WORDS or token.ent_type_ == "ORDINAL":
        return True
    return len(lower) > 2 and lower[:-2].isdigit() and lower[-2:] in {"st", "nd", "rd", "th"}


def _demote_ordinals(result: CandidateSet) -> None:
    """A "how many" question takes a count: an ordinal ("the first week") only matches as
    weakly as an ORDINAL entity does."""
    if result.question.fine_type is not FineType.NUMBER:
        return
    x = result.features
    c = FEATURE_INDEX
    for i, candidate in enumerate(result.candidates):
        if _is_ordinal(candidate.span.root) or _is_ordinal(candidate.span[0]):
            x[i, c["type_kind_match"]] = min(x[i, c["type_kind_match"]], 0.2)
            x[i, c["type_label_match"]] = min(x[i, c["type_label_match"]], 0.2)
            x[i, c["type_match"]] = min(x[i, c["type_match"]], 0.2)
