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
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from spacy.tokens import Span, Token

from qa.answers import Passage
from qa.embedding import TextEmbedder
from qa.nlp import load_spacy
from qa.readers.candidates import EXTENDED_KINDS, Candidate, CandidateGenerator
from qa.readers.question import FineType, Question, WhRole

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
_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}


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
        return self.features[:, _INDEX[name]]

    @property
    def texts(self) -> list[str]:
        return [c.span.text for c in self.candidates]

    def __len__(self) -> int:
        return len(self.candidates)


class TokenEncoder:
    """MiniLM's contextual vectors for spaCy tokens (mean of their word pieces).

    It reuses the service's loaded :class:`~qa.embedding.TextEmbedder` model, so the
    reader adds no second copy of MiniLM.

    Example:
        >>> encoder = TokenEncoder(TextEmbedder())
        >>> doc = load_spacy()("Ganja was shelled.")
        >>> encoder.run([doc[:]])[0].shape
        (4, 384)
    """

    def __init__(
        self, embedder: TextEmbedder | None = None, max_length: int = 256, cache_size: int = 4096
    ) -> None:
        self.embedder = embedder or TextEmbedder()
        self.max_length = max_length
        self.cache_size = cache_size
        self._lock = threading.Lock()
        # A sentence's vectors do not depend on the question: questions about one document
        # keep meeting the same sentences, so they are encoded once.
        self._cache: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def _transformer(self) -> Any:
        self.embedder.warm_up()
        model = getattr(self.embedder, "_model", None)
        if model is None or not hasattr(model, "__getitem__"):
            raise RuntimeError("TokenEncoder needs the torch (sentence-transformers) MiniLM")
        return model[0]

    def encode(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One forward pass: word-piece states, their character offsets, and the
        mean-pooled unit sentence vectors (what MiniLM's sentence embedding is)."""
        import torch

        module = self._transformer()
        encoded = module.tokenizer(
            list(texts),
            return_offsets_mapping=True,
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )
        offsets = encoded.pop("offset_mapping").numpy()
        with self._lock, torch.inference_mode():
            hidden = module.auto_model(**encoded).last_hidden_state
            mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, dim=1)
        return hidden.numpy(), offsets, pooled.numpy()

    def sentence_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Unit sentence vectors, as :class:`~qa.embedding.TextEmbedder` gives them."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self.encode(texts)[2]

    def run(self, spans: Sequence[Span]) -> list[np.ndarray]:
        """Unit vectors, one row per token of each span."""
        return self.run_with_sentences(spans)[0]

    def run_with_sentences(
        self, spans: Sequence[Span], cached: Sequence[bool] | None = None
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Token vectors of each span and the span's sentence vector.

        ``cached`` marks the spans whose vectors may come from (and go to) the cache.
        """
        if not spans:
            return [], np.zeros((0, 384), dtype=np.float32)
        cached = list(cached) if cached is not None else [False] * len(spans)
        results: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(spans)
        with self._cache_lock:
            for i, span in enumerate(spans):
                if cached[i] and span.text in self._cache:
                    self._cache.move_to_end(span.text)
                    results[i] = self._cache[span.text]
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:
            fresh, pooled = self._compute([spans[i] for i in todo])
            with self._cache_lock:
                for k, i in enumerate(todo):
                    results[i] = (fresh[k], pooled[k])
                    if cached[i] and self.cache_size > 0:
                        self._cache[spans[i].text] = results[i]
                        while len(self._cache) > self.cache_size:
                            self._cache.popitem(last=False)
        return [r[0] for r in results], np.vstack([r[1] for r in results])

    def _compute(self, spans: Sequence[Span]) -> tuple[list[np.ndarray], np.ndarray]:
        hidden, offsets, pooled = self.encode([span.text for span in spans])
        out = []
        for i, span in enumerate(spans):
            base = span.start_char
            n_tokens = len(span)
            vectors = np.zeros((n_tokens, hidden.shape[2]), dtype=np.float32)
            starts = np.array([t.idx - base for t in span])
            ends = starts + np.array([len(t.text) for t in span])
            piece_start, piece_end = offsets[i, :, 0], offsets[i, :, 1]
            real = piece_end > piece_start
            for j in range(n_tokens):
                mask = real & (piece_start < ends[j]) & (piece_end > starts[j])
                if mask.any():
                    vectors[j] = hidden[i, mask].mean(axis=0)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            out.append(vectors / np.maximum(norms, 1e-6))
        return out, pooled


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


def _is_content(token: Token) -> bool:
    return not (token.is_stop or token.is_punct or token.is_space) and (
        token.lemma_.lower() not in _STOP_LEMMAS
    )


@dataclass
class _QuestionView:
    question: Question
    content: list[Token]
    content_vectors: np.ndarray
    lemmas: set[str]
    key_lemmas: set[str]
    governor: Token | None
    governor_vector: np.ndarray | None
    focus: Token | None
    focus_vector: np.ndarray | None


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
        embedder: TextEmbedder | None = None,
        max_passages: int = 5,
        filled_candidates: int = 12,
        use_embeddings: bool = True,
    ) -> None:
        self.embedder = embedder or TextEmbedder()
        self.encoder = TokenEncoder(self.embedder)
        self.generator = CandidateGenerator(extended=True)
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
        empty = np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
        features = np.vstack(rows) if rows else empty
        result = CandidateSet(question, candidates, passages, passage_of, features)
        if len(candidates):
            self._relative(result)
            self._filled(result, pooled)
        return result

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
        key = {
            t.lemma_.lower()
            for t in content
            if t.pos_ in {"PROPN", "NUM"} or t.ent_type_ or t.like_num
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
            key_lemmas=key,
            governor=governor,
            governor_vector=vectors[governor.i] if governor is not None else None,
            focus=focus,
            focus_vector=vectors[focus.i] if focus is not None else None,
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
        tokens = list(sentence)
        lemmas = [t.lemma_.lower() for t in tokens]
        lowers = [t.lower_ for t in tokens]
        content_mask = np.array([_is_content(t) for t in tokens])

        # Lexical alignment of the question's content words.
        matched_lemmas = {q for q in view.lemmas if q in lemmas or q in lowers}
        n_content = max(1, len({t.lemma_.lower() for t in view.content}))
        coverage = len({t.lemma_.lower() for t in view.content} & set(lemmas)) / n_content
        soft = np.zeros((len(view.content), len(tokens)), dtype=np.float32)
        if self.use_embeddings and len(view.content) and len(tokens):
            soft = view.content_vectors @ vectors.T
            soft[:, ~content_mask] = 0.0
        exact = np.array(
            [
                [
                    1.0 if (lemmas[j] == q.lemma_.lower() or lowers[j] == q.lower_) else 0.0
                    for j in range(len(tokens))
                ]
                for q in view.content
            ],
            dtype=np.float32,
        ).reshape(len(view.content), len(tokens))
        align = np.maximum(exact, soft)
        coverage_soft = float(align.max(axis=1).mean()) if align.size else 0.0
        aligned = np.zeros(len(tokens), dtype=bool)
        if align.size:
            aligned = (align >= 0.6).any(axis=0) & content_mask
            aligned |= (exact > 0).any(axis=0)
        aligned_idx = np.flatnonzero(aligned)

        key = view.key_lemmas
        key_coverage = len(key & set(lemmas)) / len(key) if key else 1.0
        context = sentence.doc[max(0, start - 60) : min(len(sentence.doc), sentence.end + 30)]
        context_lemmas = {t.lemma_.lower() for t in context}
        key_coverage_context = len(key & context_lemmas) / len(key) if key else 1.0
        del matched_lemmas

        # The sentence word aligned with the question's verb (or attribute noun).
        gov_pos, gov_sim_vec = -1, None
        if view.governor is not None and len(tokens):
            g_lemma = view.governor.lemma_.lower()
            lexical = [j for j, lem in enumerate(lemmas) if lem == g_lemma]
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
        chains = _depths(sentence)

        focus_sims = None
        if self.use_embeddings and view.focus_vector is not None:
            focus_sims = vectors @ view.focus_vector
        focus_lemma = view.focus.lemma_.lower() if view.focus is not None else ""

        q_types = np.zeros(len(QUESTION_FEATURES), dtype=np.float32)
        q_types[QUESTION_FEATURES.index(f"q_type={question.fine_type.value}")] = 1.0
        q_types[QUESTION_FEATURES.index(f"q_role={question.role.value}")] = 1.0

        block = np.zeros((len(candidates), len(FEATURE_NAMES)), dtype=np.float32)
        block[:, : len(QUESTION_FEATURES)] = q_types
        offset = len(QUESTION_FEATURES)
        col = {name: offset + i for i, name in enumerate(CANDIDATE_FEATURES)}
        fine = question.fine_type
        type_labels = _TYPE_LABELS.get(fine, {})
        type_kinds = _TYPE_KINDS.get(fine, {})
        quote_chars = {'"', "“", "”"}
        for row, candidate in enumerate(candidates):
            span = candidate.span
            a, b = span.start - start, span.end - start
            f = block[row]
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

            label_match = type_labels.get(label, 0.0) if (exact_entity or label != "NONE") else 0.0
            if label != "NONE" and not exact_entity:
                label_match *= 0.6
            kind_match = max((type_kinds.get(k, 0.0) for k in candidate.kinds), default=0.0)
            if fine in {FineType.PERSON, FineType.ORGANIZATION} and root.lower_ in _PERSON_PRONOUNS:
                label_match = 0.0
            f[col["type_label_match"]] = label_match
            f[col["type_kind_match"]] = kind_match
            f[col["type_match"]] = max(label_match, kind_match)
            f[col["role_fit"]] = float(role in _ROLE_FIT[question.role])
            f[col["prep_match"]] = float(bool(prep) and prep == question.preposition)

            # Where the candidate sits relative to the words the question mentions.
            inside = np.zeros(len(tokens), dtype=bool)
            inside[a:b] = True
            outside_aligned = [j for j in aligned_idx if not inside[j]]
            if head is not None and sentence.start <= head.i < sentence.end:
                h = head.i - start
                f[col["gov_lexical"]] = float(
                    view.governor is not None and lemmas[h] == view.governor.lemma_.lower()
                )
                f[col["gov_sim"]] = float(gov_sim_vec[h]) if gov_sim_vec is not None else 0.0
                f[col["gov_is_aligned"]] = float(h == gov_pos)
            else:
                f[col["gov_sim"]] = np.nan
            if gov_pos >= 0 and not inside[gov_pos]:
                f[col["dep_dist_gov"]] = _tree_distance(chains, root.i, gov_pos + start)
            else:
                f[col["dep_dist_gov"]] = np.nan
            if outside_aligned:
                f[col["dep_dist_min"]] = min(
                    _tree_distance(chains, root.i, j + start) for j in outside_aligned
                )
                f[col["lin_dist_min"]] = min(
                    min(abs(j - a), abs(j - (b - 1))) for j in outside_aligned
                )
                f[col["aligned_window"]] = sum(1 for j in outside_aligned if a - 6 <= j < b + 6)
            else:
                f[col["dep_dist_min"]] = np.nan
                f[col["lin_dist_min"]] = np.nan
            if focus_sims is not None:
                f[col["focus_sim"]] = float(focus_sims[root.i - start])
                neighbours = [root.head] if root.head.i != root.i else []
                neighbours += [c for c in root.children if c.dep_ in {"appos", "compound"}]
                neighbours = [t for t in neighbours if sentence.start <= t.i < sentence.end]
                if neighbours:
                    f[col["focus_neighbour_sim"]] = max(
                        float(focus_sims[t.i - start]) for t in neighbours
                    )
            f[col["focus_lexical"]] = float(
                bool(focus_lemma)
                and any(
                    lemmas[j] == focus_lemma for j in range(max(0, a - 3), min(len(tokens), b + 3))
                )
            )

            words = [t for t in span if not (t.is_punct or t.is_space)]
            content_words = [t for t in words if _is_content(t)] or words
            repeated = [
                t
                for t in content_words
                if t.lemma_.lower() in view.lemmas or t.lower_ in view.lemmas
            ]
            f[col["overlap_lexical"]] = len(repeated) / max(1, len(content_words))
            f[col["any_overlap"]] = float(bool(repeated))
            if self.use_embeddings and len(view.content):
                cw = [t.i - start for t in content_words]
                f[col["overlap_soft"]] = float(soft[:, cw].max(axis=0).mean()) if cw else 0.0
            f[col["length"]] = len(words)
            f[col["log_chars"]] = math.log1p(len(span.text))
            f[col["has_comma"]] = float(any(t.text == "," for t in span))
            f[col["has_verb"]] = float(any(t.pos_ == "VERB" for t in span))
            f[col["starts_adp"]] = float(span[0].pos_ == "ADP")
            f[col["pronoun_only"]] = float(all(t.pos_ in {"PRON", "DET"} for t in words))
            f[col["in_quotes"]] = float(
                (a > 0 and tokens[a - 1].text in quote_chars)
                or any(t.text in quote_chars for t in span)
            )
            f[col["n_kinds"]] = len(candidate.kinds)
        block[:, col["rank"]] = passage.rank
        block[:, col["retrieval"]] = passage.score
        block[:, col["similarity"]] = passage.similarity
        block[:, col["coverage"]] = coverage
        block[:, col["coverage_soft"]] = coverage_soft
        block[:, col["key_coverage"]] = key_coverage
        block[:, col["key_coverage_context"]] = key_coverage_context
        block[:, col["sentence_length"]] = len(tokens)
        return block

    # -- across the question's candidates -----------------------------------------------------

    @staticmethod
    def _relative(result: CandidateSet) -> None:
        """Features that compare a candidate with the question's other candidates."""
        x = result.features
        c = _INDEX
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
        c = _INDEX
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
        c = _INDEX
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
