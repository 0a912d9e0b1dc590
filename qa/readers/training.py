"""Train the learned reader on synthetic questions (``qa train-reader``).

Nothing here reads the gold set. The training text is real news prose that ships in a
package on this machine: the Lee corpus of Australian Broadcasting Corporation news
(``gensim/test/test_data/lee_background.cor`` and ``lee.cor``), optionally with more
``.txt`` documents. The steps:

1. index the documents with the service's own :class:`~qa.indexing.IndexStore`, so the
   reader sees exactly the passages (and stored parses) that retrieval gives it;
2. generate wh-questions from each sentence by rules (:mod:`qa.readers.synthetic`),
   rewrite a share of them in other words (WordNet synonyms and hypernyms, a country by
   its capital, "X's Y" as "the Y of X": real questions rarely copy their sentence), and
   make "no answer" variants of some: the same question with its sentence (and any sentence
   repeating the answer) removed from the passages, with one of its names or numbers
   swapped for another of the same kind, or asked of an unrelated document;
3. extract candidate features for each question and label the candidate whose span is
   the generated answer;
4. fit a gradient-boosted ranker on 70% of the documents, fit the confidence model
   (logistic regression, then isotonic calibration) on the ranker's scores for the other
   30%, then refit the ranker on all documents; write ``reader.npz``. The ranker is a
   pointwise classifier (scikit-learn) or, with ``TrainingConfig.objective``, a LightGBM
   ranker trained on each question's list of candidates; either is stored as the same
   plain arrays (:class:`~qa.readers.scorer.TreeEnsemble`).

Everything is seeded and nothing depends on the order of a ``set`` of strings, so the
same inputs write byte-identical weights in any process, whatever its
``PYTHONHASHSEED`` (``tests/readers/test_training.py`` builds under two).
"""

from __future__ import annotations

import dataclasses
import logging
import random
import re
import string
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from qa.answers import Passage
from qa.documents import Document, load_documents
from qa.embedding import TextEmbedder
from qa.eval.metrics import token_f1
from qa.indexing import IndexParameters, IndexStore, LoadedIndex
from qa.readers.features import FEATURE_NAMES, CandidateSet, FeatureExtractor
from qa.readers.learned_reader import (
    CONFIDENCE_FEATURES,
    confidence_features,
    dropped_columns,
    top_order,
)
from qa.readers.question import FineType, QuestionAnalyzer
from qa.readers.readings import masked_logits, type_available
from qa.readers.scorer import Calibrator, ReaderModel, TreeEnsemble
from qa.readers.synthetic import (
    Paraphraser,
    QuestionGenerator,
    SyntheticQuestion,
    load_wordnet,
)
from qa.retrieval import HybridRetriever

logger = logging.getLogger(__name__)

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_SWAP_LABELS = {"PERSON", "ORG", "GPE", "NORP", "DATE", "CARDINAL", "LOC", "FAC"}


def normalize(text: str) -> str:
    """SQuAD answer normalisation: lower case, no punctuation, no articles."""
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return " ".join(_ARTICLES.sub(" ", text).split())


@dataclass
class TrainingConfig:
    """What the training run does; the defaults make the shipped weights.

    Attributes:
        seed: seeds every random choice (question sampling, splits, the trees).
        max_questions: answerable questions to generate (a seeded sample).
        removed_rate: share of questions also asked with their evidence removed.
        swap_rate: share also asked with a name or number swapped.
        foreign_rate: share also asked of an unrelated document.
        negatives: negatives kept per question for the pointwise ranker (the hardest by
            pre-score and a random sample).
        max_iter, learning_rate, max_leaf_nodes, max_depth: the trees.
        use_embeddings: False trains without MiniLM features (ablations, fast tests).
        top_k: passages read per question (the shipped weights: 5; the service reads
            ``Settings.reader_passages``, 4, which scores the same on the gold set).
        drop_features: features (names or name prefixes) left out (zeroed). The "filled
            question" similarity is left out by default: it did not help on the dev split
            and costs a second MiniLM pass per question.
        isotonic: add an isotonic step to the calibration (see ``fit_calibrator``).
        paraphrase_rate: share of generated questions rewritten in other words (WordNet
            synonyms and hypernyms, "X's Y" -> "the Y of X"; see
            :class:`~qa.readers.synthetic.Paraphraser`), so that the reader does not learn
            that an answerable question repeats its sentence. Above 0 it needs WordNet
            (``apt-get install wordnet-base``) and nltk (``pip install -e '.[train]'``).
        bags: rankers averaged into one (bagging over the questions): a steadier ranker
            for a few more trees to evaluate.
        ranker_drop_features: features (names or name prefixes) the ranker is trained
            without while the confidence calibrator still reads them. They are zeroed
            only in the ranker's copy of the examples; trees never test a column that was
            constant in training (checked), so the reader computes them for the
            calibrator and its ranker ignores them, with no setting to read.
        objective: how the trees learn to choose. ``"pointwise"``: scikit-learn's binary
            classifier on each candidate alone (positive = the generated answer).
            ``"lambdarank"`` (the default) or ``"rank_xendcg"``: LightGBM's listwise
            objectives, one query per question (the ``train`` extra). LambdaRank chose
            better on dev than the classifier (all-F1 0.755 against 0.735; see the
            README's Reader section); rank_xendcg worse.
        rank_negatives: negatives kept per question by a ranking objective, sampled as
            ``negatives`` are; ``None`` keeps every candidate, so that the trees learn to
            order the whole list the reader ranks (with the classifier's 60 the listwise
            trees chose worse on dev than the classifier).
        relevance: the ranking objectives' labels. ``"binary"``: the generated answer 1,
            the rest 0. ``"graded"``: the answer 3, another candidate 2 or 1 when its
            token F1 with the answer is at least 2/3 or 1/3 (the eval scores F1, so a
            near miss is better than a miss), else 0.
        rank_rescale: map a ranking objective's scores onto the classifier's log-odds
            scale (one logistic fit of the label on the score, the classifier's rows and
            weights; folded into the trees, so it is free to serve). The readings after
            ranking compare logits with margins in those units ("within 3 logits"), and
            the calibrator reads the top logit and margin.
    """

    seed: int = 13
    max_questions: int = 2500
    removed_rate: float = 0.35
    swap_rate: float = 0.25
    foreign_rate: float = 0.08
    negatives: int = 60
    max_iter: int = 250
    learning_rate: float = 0.08
    max_leaf_nodes: int = 31
    max_depth: int = 8
    use_embeddings: bool = True
    top_k: int = 5
    drop_features: tuple[str, ...] = ("filled_",)
    isotonic: bool = False
    paraphrase_rate: float = 0.4
    bags: int = 1
    ranker_drop_features: tuple[str, ...] = ()
    objective: str = "lambdarank"
    rank_negatives: int | None = None
    relevance: str = "binary"
    rank_rescale: bool = True

    def __post_init__(self) -> None:
        # Checked here, not where they are read: a typo should fail before minutes of
        # example building, whoever builds the config (the CLI, ablations, tests).
        if self.objective not in OBJECTIVES:
            raise ValueError(
                f"unknown objective {self.objective!r}; one of {', '.join(OBJECTIVES)}"
            )
        if self.relevance not in RELEVANCES:
            raise ValueError(
                f"unknown relevance {self.relevance!r}; one of {', '.join(RELEVANCES)}"
            )


OBJECTIVES = ("pointwise", "lambdarank", "rank_xendcg")
RELEVANCES = ("binary", "graded")
# Settings that only a ranking objective reads, left out of the pointwise weights'
# metadata: ``objective="pointwise"`` then writes the same bytes as before they existed.
_RANKING_SETTINGS = ("objective", "rank_negatives", "relevance", "rank_rescale")


@dataclass
class Example:
    """One training question with its candidates' features and labels (no spaCy objects,
    so a list of examples can be cached with pickle while experimenting)."""

    question: str
    document_id: str
    variant: str  # "answerable", "removed", "swapped", "foreign"
    rule: str
    fine_type: FineType
    question_words: int
    texts: list[str] = field(repr=False)
    features: np.ndarray = field(repr=False)
    labels: np.ndarray = field(repr=False)

    def logits(self, ranker: TreeEnsemble) -> np.ndarray:
        """The ranker's scores, with candidates of the wrong kind pushed down (as the
        reader does)."""
        return masked_logits(ranker.decision_function(self.features), self.features, self.fine_type)

    def confidence_row(self, logits: np.ndarray) -> np.ndarray:
        return confidence_features(self.features, self.texts, self.fine_type, logits)[0]


def lee_documents() -> list[Document]:
    """The Lee news corpus shipped with gensim's tests, one document per line."""
    try:
        import gensim
    except ImportError as exc:  # pragma: no cover - gensim is a dev dependency
        raise RuntimeError("training needs gensim (pip install -e '.[dev]')") from exc
    base = Path(gensim.__file__).parent / "test" / "test_data"
    documents = []
    for name in ("lee_background.cor", "lee.cor"):
        path = base / name
        if not path.exists():
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines()):
            text = " ".join(line.split())
            if len(text.split()) >= 40:
                documents.append(Document(id=f"{path.stem}-{i:03d}", text=text))
    return documents


def training_documents(extra: Sequence[Path] = ()) -> list[Document]:
    """The Lee corpus plus any ``.txt`` documents under ``extra``."""
    documents = lee_documents()
    if extra:
        documents.extend(load_documents(list(extra)))
    return documents


class _Builder:
    """Generates the questions and extracts their features over one training index."""

    def __init__(self, index: LoadedIndex, embedder: TextEmbedder, config: TrainingConfig) -> None:
        self.index = index
        self.config = config
        self.retriever = HybridRetriever(index, embedder)
        self.analyzer = QuestionAnalyzer()
        self.extractor = FeatureExtractor(
            embedder,
            max_passages=config.top_k,
            use_embeddings=config.use_embeddings,
            filled_candidates=0 if "filled_" in config.drop_features else 12,
        )
        self.generator = QuestionGenerator()
        self.rng = random.Random(config.seed)
        # Its own stream, so that the rate leaves the rest of the sample as it is.
        self.paraphrase_rng = random.Random(config.seed + 1)
        self.paraphraser = Paraphraser() if config.paraphrase_rate > 0 else None

    def questions(self) -> list[tuple[str, int, SyntheticQuestion]]:
        """(document id, sentence row, question), a seeded sample."""
        out = []
        for row, sentence in enumerate(self.index.sentences):
            parse = self.index.sentence_parse(sentence)
            if parse is None:
                continue
            for q in self.generator.run(parse, self.rng):
                out.append((sentence.document_id, row, q))
        self.rng.shuffle(out)
        return out[: self.config.max_questions]

    def entity_pool(self) -> dict[str, list[str]]:
        pool: dict[str, set[str]] = {}
        for doc in self.index.parses.values():
            for ent in doc.ents:
                if ent.label_ in _SWAP_LABELS and 1 <= len(ent) <= 4:
                    pool.setdefault(ent.label_, set()).add(ent.text)
        return {label: sorted(texts) for label, texts in pool.items()}

    def _passages(self, query: str, document_id: str, k: int) -> list[Passage]:
        return self.retriever.run([query], top_k=k, document_id=document_id)

    def _labels(
        self, candidates: CandidateSet, answer: tuple[int, int] | None, answer_text: str
    ) -> np.ndarray:
        labels = np.zeros(len(candidates), dtype=np.int8)
        if answer is None:
            return labels
        target = normalize(answer_text)
        for i, candidate in enumerate(candidates.candidates):
            passage = candidates.passages[candidates.passage_of[i]]
            base = passage.start - (passage.parse.start_char if passage.parse is not None else 0)
            start, end = base + candidate.span.start_char, base + candidate.span.end_char
            same_place = start < answer[1] and answer[0] < end
            if (start, end) == answer or (same_place and normalize(candidate.span.text) == target):
                labels[i] = 1
        return labels

    def example(
        self,
        text: str,
        document_id: str,
        variant: str,
        rule: str,
        passages: list[Passage],
        answer: tuple[int, int] | None,
        answer_text: str,
    ) -> Example:
        question = self.analyzer.run(text)
        candidates = self.extractor.run(question, passages)
        labels = self._labels(candidates, answer, answer_text)
        return Example(
            text,
            document_id,
            variant,
            rule,
            question.fine_type,
            len(question.content_lemmas),
            candidates.texts,
            candidates.features,
            labels,
        )

    def build(self, progress: Callable[[int, int], None] | None = None) -> list[Example]:
        config = self.config
        questions = self.questions()
        pool = self.entity_pool()
        doc_ids = sorted(self.index.sentences_by_document)
        examples: list[Example] = []
        for n, (document_id, row, q) in enumerate(questions):
            q = self._paraphrased(q)
            sentence = self.index.sentences[row]
            body = self.index.body_starts[document_id]
            parse_doc = self.index.parses[document_id]
            answer = (body + q.answer_start, body + q.answer_end)
            answer_text = q.answer(parse_doc.text)
            passages = self._passages(q.question, document_id, config.top_k)
            examples.append(
                self.example(
                    q.question, document_id, "answerable", q.rule, passages, answer, answer_text
                )
            )
            draw = self.rng.random()
            if draw < config.removed_rate:
                wider = self._passages(q.question, document_id, config.top_k + 4)
                kept = [
                    p
                    for p in wider
                    if p.start != sentence.start and answer_text.lower() not in p.text.lower()
                ][: config.top_k]
                kept = [replace(p, rank=i) for i, p in enumerate(kept)]
                if kept:
                    examples.append(
                        self.example(q.question, document_id, "removed", q.rule, kept, None, "")
                    )
            elif draw < config.removed_rate + config.swap_rate:
                swapped = self._swap(q, parse_doc, pool, self.index.documents[document_id].text)
                if swapped:
                    passages = self._passages(swapped, document_id, config.top_k)
                    examples.append(
                        self.example(swapped, document_id, "swapped", q.rule, passages, None, "")
                    )
            elif draw < config.removed_rate + config.swap_rate + config.foreign_rate:
                other = self.rng.choice(doc_ids)
                if other != document_id:
                    passages = self._passages(q.question, other, config.top_k)
                    examples.append(
                        self.example(q.question, other, "foreign", q.rule, passages, None, "")
                    )
            if progress:
                progress(n + 1, len(questions))
        return examples

    def _paraphrased(self, q: SyntheticQuestion) -> SyntheticQuestion:
        """``q``, or (at ``paraphrase_rate``) the same question in other words."""
        if self.paraphraser is None or self.paraphrase_rng.random() >= self.config.paraphrase_rate:
            return q
        from qa.nlp import load_spacy

        text = self.paraphraser.run(load_spacy()(q.question), self.paraphrase_rng)
        return replace(q, question=text, rule=f"{q.rule}+paraphrase") if text else q

    def _swap(
        self, q: SyntheticQuestion, parse_doc: Any, pool: dict[str, list[str]], doc_text: str
    ) -> str | None:
        """The question with one name, date or number replaced by another of its kind."""
        from qa.nlp import load_spacy

        parsed = load_spacy()(q.question)
        answer = q.answer(parse_doc.text).lower()
        ents = [e for e in parsed.ents if e.label_ in pool and e.text.lower() not in answer]
        if not ents:
            return None
        ent = self.rng.choice(ents)
        choices = [t for t in pool[ent.label_] if t.lower() not in doc_text.lower()]
        if not choices:
            return None
        new = self.rng.choice(choices)
        return q.question[: ent.start_char] + new + q.question[ent.end_char :]


def build_examples(
    documents: Sequence[Document],
    config: TrainingConfig,
    embedder: TextEmbedder | None = None,
    workdir: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Example]:
    """Index ``documents`` in a scratch folder and turn them into training examples."""
    embedder = embedder or TextEmbedder()
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        store = IndexStore(Path(tmp), IndexParameters(), embedder)
        index = store.ensure(list(documents), progress=progress)
        builder = _Builder(index, embedder, config)

        def report(done: int, total: int) -> None:
            if progress:
                progress("questions", done, total)

        return builder.build(report)


def _ranker_picks(
    examples: Sequence[Example], negatives_kept: int | None, rng: np.random.Generator
) -> list[tuple[Example, np.ndarray]]:
    """The answerable questions that have a positive, each with the candidates the ranker
    learns from: its positives and at most ``negatives_kept`` negatives (the hardest by
    pre-score and a random sample; all of them when ``None``), positives first."""
    picks = []
    for ex in examples:
        if ex.variant != "answerable" or not ex.labels.any():
            continue
        positives = np.flatnonzero(ex.labels)
        negatives = np.flatnonzero(ex.labels == 0)
        if negatives_kept is not None and len(negatives) > negatives_kept:
            pre = FeatureExtractor.prescore(ex.features)[negatives]
            hard = negatives[np.argsort(-pre, kind="stable")[: negatives_kept // 2]]
            rest = np.setdiff1d(negatives, hard)
            rand = rng.choice(rest, size=negatives_kept - len(hard), replace=False)
            negatives = np.concatenate([hard, rand])
        picks.append((ex, np.concatenate([positives, negatives])))
    return picks


def _pointwise_rows(
    picks: Sequence[tuple[Example, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels and weights of the picked candidates, one row each."""
    xs, ys, ws = [], [], []
    for ex, keep in picks:
        labels = ex.labels[keep]
        positives = int(labels.sum())
        xs.append(ex.features[keep])
        ys.append(labels)
        # Each question weighs the same, however many candidates it has.
        w = np.where(labels == 1, 1.0 / positives, 1.0 / max(1, len(keep) - positives))
        ws.append(w * 2.0)
    x = np.vstack(xs)
    # A feature never observed (no MiniLM in an ablation) is constant, not missing.
    x[:, np.isnan(x).all(axis=0)] = 0.0
    return x, np.concatenate(ys), np.concatenate(ws)


def relevance_labels(ex: Example, keep: np.ndarray, relevance: str) -> np.ndarray:
    """The ranking objectives' label of each kept candidate of ``ex`` (see
    ``TrainingConfig.relevance``)."""
    labels = ex.labels[keep].astype(np.int32)
    if relevance == "binary":
        return labels
    answer = ex.texts[int(np.flatnonzero(ex.labels)[0])]
    out = 3 * labels
    for j, i in enumerate(keep):
        if not labels[j]:
            out[j] = min(2, int(3 * token_f1(ex.texts[i], answer)))
    return out


def _fit_lightgbm(
    examples: Sequence[Example], config: TrainingConfig, rng: np.random.Generator
) -> tuple[TreeEnsemble, Any]:
    """A LightGBM ranker (``config.objective``), one query per question, exported as a
    :class:`TreeEnsemble`; single-threaded and deterministic, so the same examples and
    seed give the same trees."""
    try:
        import lightgbm
    except ImportError as exc:  # pragma: no cover - lightgbm is in the train extra
        raise RuntimeError(
            f"the {config.objective!r} objective needs lightgbm (pip install -e '.[train]')"
        ) from exc
    from sklearn.linear_model import LogisticRegression

    picks = _ranker_picks(examples, config.rank_negatives, rng)
    x, y, w = _pointwise_rows(picks)
    relevance = np.concatenate([relevance_labels(ex, keep, config.relevance) for ex, keep in picks])
    params = {
        "objective": config.objective,
        "learning_rate": config.learning_rate,
        "num_leaves": config.max_leaf_nodes,
        "max_depth": config.max_depth,
        # As the classifier's: 255 bins, 20 rows a leaf, L2 1.0.
        "max_bin": 255,
        "min_data_in_leaf": 20,
        "lambda_l2": 1.0,
        "seed": config.seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 1,
        "verbosity": -1,
    }
    data = lightgbm.Dataset(
        x, relevance, group=[len(keep) for _, keep in picks], params={"verbosity": -1}
    )
    booster = lightgbm.train(params, data, num_boost_round=config.max_iter)
    trees = TreeEnsemble.from_lightgbm(booster)
    if config.rank_rescale:
        scores = trees.decision_function(x)[:, None]
        fit = LogisticRegression(C=1e4, max_iter=1000).fit(scores, y, sample_weight=w)
        scale = float(fit.coef_[0, 0])
        # A positive scale keeps the order; a tiny run may not learn one.
        if scale > 0:
            trees = trees.scaled(scale, float(fit.intercept_[0]))
    return trees, booster


def fit_ranker(examples: Sequence[Example], config: TrainingConfig) -> tuple[TreeEnsemble, Any]:
    """Gradient-boosted trees on candidate rows; returns the exported and the sklearn
    model(s). With ``config.bags`` > 1 the score is the mean of that many ensembles, the
    first fitted on every question and the others on bootstrap samples of the questions."""
    fit = _fit_trees if config.objective == "pointwise" else _fit_lightgbm
    if config.bags <= 1:
        return fit(examples, config, np.random.default_rng(config.seed))
    members, models = [], []
    for bag in range(config.bags):
        rng = np.random.default_rng(config.seed + bag)
        sample = list(examples)
        if bag:
            sample = [examples[i] for i in rng.integers(0, len(examples), len(examples))]
        ranker, model = fit(sample, config, rng)
        members.append(ranker)
        models.append(model)
    return TreeEnsemble.average(members), models


def _fit_trees(
    examples: Sequence[Example], config: TrainingConfig, rng: np.random.Generator
) -> tuple[TreeEnsemble, Any]:
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y, w = _pointwise_rows(_ranker_picks(examples, config.negatives, rng))
    model = HistGradientBoostingClassifier(
        max_iter=config.max_iter,
        learning_rate=config.learning_rate,
        max_leaf_nodes=config.max_leaf_nodes,
        max_depth=config.max_depth,
        l2_regularization=1.0,
        min_samples_leaf=20,
        early_stopping=False,
        random_state=config.seed,
    )
    model.fit(x, y, sample_weight=w)
    return TreeEnsemble.from_sklearn(model), model


def fit_calibrator(
    examples: Sequence[Example], ranker: TreeEnsemble, seed: int, isotonic: bool = False
) -> tuple[Calibrator, dict[str, float]]:
    """Logistic regression on question-level evidence: a probability that the best span is
    right. ``isotonic`` adds a step map fitted on out-of-fold predictions; it fits the
    synthetic questions tighter but collapses real ones into a few steps, so it is off."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    rows, labels = [], []
    for ex in examples:
        # The reader abstains outright when no span of the needed kind exists.
        if not len(ex.texts) or not type_available(ex.features, ex.fine_type):
            continue
        logits = ex.logits(ranker)
        rows.append(ex.confidence_row(logits))
        best = top_order(logits, ex.texts)[0]
        labels.append(int(ex.labels[best] == 1))
    x = np.nan_to_num(np.array(rows))
    y = np.array(labels)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    lr = LogisticRegression(C=0.5, max_iter=2000)
    folds = min(5, int(np.bincount(y, minlength=2).min()))
    if folds < 2:
        # Too few of one outcome to learn from (tiny runs): a constant rate.
        rate = float(y.mean()) if len(y) else 0.0
        flat = Calibrator(
            mean, scale, np.zeros(x.shape[1]), 0.0, np.array([0.0, 1.0]), np.array([rate, rate])
        )
        return flat, {"questions": float(len(y)), "correct_rate": rate, "brier": float("nan")}
    oof = cross_val_predict(lr, z, y, cv=folds, method="predict_proba")[:, 1]
    lr.fit(z, y)
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(oof, y)
    calibrated = iso.predict(oof) if isotonic else oof
    calibrator = Calibrator(
        mean=mean,
        scale=scale,
        coef=lr.coef_[0].astype(np.float64),
        intercept=float(lr.intercept_[0]),
        x_points=np.asarray(iso.X_thresholds_ if isotonic else [], dtype=np.float64),
        y_points=np.asarray(iso.y_thresholds_ if isotonic else [], dtype=np.float64),
    )
    stats = {
        "questions": float(len(y)),
        "correct_rate": float(y.mean()),
        "brier": float(np.mean((calibrated - y) ** 2)),
    }
    return calibrator, stats


def evaluate_ranker(examples: Sequence[Example], ranker: TreeEnsemble) -> dict[str, float]:
    """Top-1 accuracy of the ranker on answerable questions whose answer is a candidate."""
    hits, total = 0, 0
    for ex in examples:
        if ex.variant != "answerable" or not ex.labels.any():
            continue
        logits = ex.logits(ranker)
        total += 1
        hits += int(ex.labels[top_order(logits, ex.texts)[0]] == 1)
    return {"top1": hits / max(1, total), "questions": float(total)}


def _zeroed(examples: Sequence[Example], names: Sequence[str]) -> list[Example]:
    """``examples`` with the features named (or prefixed) by ``names`` set to 0, as
    copies; the examples themselves when ``names`` is empty."""
    if not names:
        return list(examples)
    columns = dropped_columns(names)
    out = [dataclasses.replace(ex, features=ex.features.copy()) for ex in examples]
    for ex in out:
        ex.features[:, columns] = 0.0
    return out


def _check_untested(ranker: TreeEnsemble, names: Sequence[str]) -> None:
    """Raise when a split of ``ranker`` tests a feature named by ``names``: the reader
    relies on the trees ignoring the features the ranker was trained without."""
    if not names:
        return
    tested = set(np.unique(ranker.feature[~ranker.leaf]).tolist())
    used = sorted(FEATURE_NAMES[i] for i in tested & set(dropped_columns(names)))
    if used:
        raise RuntimeError(f"the ranker tests features it was trained without: {used}")


def train(
    examples: Sequence[Example], config: TrainingConfig
) -> tuple[ReaderModel, dict[str, Any]]:
    """Fit the ranker and the calibrator on ``examples`` (split by document)."""
    if config.drop_features:
        # Ablations: the reader zeroes the same columns (it reads them from the metadata).
        examples = _zeroed(examples, config.drop_features)
    # The ranker's copy; the calibrator reads the examples as they are.
    ranked = _zeroed(examples, config.ranker_drop_features)
    doc_ids = sorted({ex.document_id for ex in examples})
    rng = random.Random(config.seed)
    rng.shuffle(doc_ids)
    held = set(doc_ids[: max(1, int(0.3 * len(doc_ids)))])
    part_a = [ex for ex in ranked if ex.document_id not in held]
    part_b = [ex for ex in examples if ex.document_id in held]
    ranker_a, _ = fit_ranker(part_a, config)
    calibrator, calibration = fit_calibrator(part_b, ranker_a, config.seed, config.isotonic)
    held_out = evaluate_ranker(part_b, ranker_a)
    ranker, _ = fit_ranker(ranked, config)
    for trees in (ranker_a, ranker):
        _check_untested(trees, config.ranker_drop_features)
    variants: dict[str, int] = {}
    for ex in examples:
        variants[ex.variant] = variants.get(ex.variant, 0) + 1
    report = {
        "examples": len(examples),
        "variants": variants,
        "answer_in_candidates": float(
            np.mean([ex.labels.any() for ex in examples if ex.variant == "answerable"])
        ),
        "held_out_ranker": held_out,
        "calibration": calibration,
    }
    # No date or duration: the same inputs and seed write byte-identical weights.
    settings = {k: list(v) if isinstance(v, tuple) else v for k, v in vars(config).items()}
    if config.objective == "pointwise":
        for name in _RANKING_SETTINGS:
            del settings[name]
    metadata = {"config": settings, "report": report}
    model = ReaderModel(
        feature_names=list(FEATURE_NAMES),
        ranker=ranker,
        calibrator=calibrator,
        confidence_features=list(CONFIDENCE_FEATURES),
        metadata=metadata,
    )
    return model, report


def train_reader(
    out: Path,
    config: TrainingConfig | None = None,
    documents: Sequence[Document] | None = None,
    embedder: TextEmbedder | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Build examples, train, and write the weights to ``out``; returns the report."""
    config = config or TrainingConfig()
    if config.paraphrase_rate > 0:
        load_wordnet()  # fail now, not after indexing, when WordNet or nltk is missing
    random.seed(config.seed)
    np.random.seed(config.seed)
    documents = list(documents) if documents is not None else training_documents()
    started = time.perf_counter()
    examples = build_examples(documents, config, embedder=embedder, progress=progress)
    model, report = train(examples, config)
    report["documents"] = len(documents)
    model.metadata["report"] = dict(report)
    model.save(out)
    # Reported, not stored: the time taken would make every build's file different.
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report
