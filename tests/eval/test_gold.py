"""Structural checks for the hand-written gold QA set in eval/gold/article.jsonl."""

import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "eval" / "gold" / "article.jsonl"
DOC_ID = "armenian-azeri-war-2020-10-18"
ARTICLE = ROOT / "seeds" / f"{DOC_ID}.txt"

MINIMUMS = {
    "factoid": 70,
    "paraphrase": 30,
    "phrase": 15,
    "followup": 15,
    "unanswerable": 25,
}
MIN_TOTAL = 150
PREFIXES = {
    "factoid": "fac-",
    "paraphrase": "par-",
    "phrase": "phr-",
    "followup": "fol-",
    "unanswerable": "una-",
}
REQUIRED = {
    "id": str,
    "document_id": str,
    "category": str,
    "split": str,
    "question": str,
    "answers": list,
    "history": list,
}


@pytest.fixture(scope="module")
def text():
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cases():
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    out = []
    for n, line in enumerate(lines, 1):
        assert line.strip(), f"blank line {n}"
        out.append(json.loads(line))
    return out


def test_fields_and_types(cases):
    for c in cases:
        for key, typ in REQUIRED.items():
            assert key in c, (c.get("id"), key)
            assert isinstance(c[key], typ), (c["id"], key)
        assert "evidence" in c, c["id"]
        assert c["evidence"] is None or isinstance(c["evidence"], dict), c["id"]
        assert c["document_id"] == DOC_ID, c["id"]
        assert c["split"] in ("dev", "test"), c["id"]
        assert c["question"].strip(), c["id"]
        assert all(isinstance(a, str) and a for a in c["answers"]), c["id"]
        for turn in c["history"]:
            assert isinstance(turn, dict), c["id"]
            assert isinstance(turn.get("question"), str) and turn["question"], c["id"]
            assert isinstance(turn.get("answer"), str), c["id"]


def test_ids_unique(cases):
    ids = [c["id"] for c in cases]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, dupes


def test_categories_and_counts(cases):
    counts = Counter(c["category"] for c in cases)
    assert set(counts) <= set(MINIMUMS), counts
    for cat, minimum in MINIMUMS.items():
        assert counts[cat] >= minimum, (cat, counts[cat])
    assert len(cases) >= MIN_TOTAL
    for c in cases:
        assert c["id"].startswith(PREFIXES[c["category"]]), c["id"]


def test_answers_verbatim(cases, text):
    for c in cases:
        for a in c["answers"]:
            assert a in text, (c["id"], a)


def test_evidence_spans(cases, text):
    for c in cases:
        if c["category"] == "unanswerable":
            continue
        ev = c["evidence"]
        assert isinstance(ev, dict), c["id"]
        start, end = ev.get("start"), ev.get("end")
        assert isinstance(start, int) and isinstance(end, int), c["id"]
        assert 0 <= start < end <= len(text), c["id"]
        span = text[start:end]
        assert span == span.strip(), c["id"]
        assert any(a in span for a in c["answers"]), (c["id"], span)


def test_answerable_have_answers(cases):
    for c in cases:
        if c["category"] != "unanswerable":
            assert c["answers"], c["id"]


def test_unanswerable(cases):
    for c in cases:
        if c["category"] == "unanswerable":
            assert c["answers"] == [], c["id"]
            assert c["evidence"] is None, c["id"]


def test_followups_have_history(cases):
    for c in cases:
        if c["category"] == "followup":
            assert c["history"], c["id"]


def test_splits(cases):
    n_test = sum(c["split"] == "test" for c in cases)
    frac = n_test / len(cases)
    assert 0.30 <= frac <= 0.36, frac
    for cat in MINIMUMS:
        assert any(c["split"] == "test" and c["category"] == cat for c in cases), cat
        assert any(c["split"] == "dev" and c["category"] == cat for c in cases), cat
