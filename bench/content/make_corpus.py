#!/usr/bin/env python3
"""Synthetic Chinese/English articles for the content service's full-text search bench.

    python3 bench/content/make_corpus.py [--count 100000] [--seed 7]
                                         [--seeds-dir DIR] [--out FILE]

Writes JSON Lines, one article per line, to --out (default stdout):

    {"title", "summary", "body", "locale": "zh-CN" | "en", "category": 1..5,
     "audiences": [1..11], "hazard_categories": [1..6], "province": "11"…"61",
     "publish_date": "YYYY-MM-DD"}

The text is not in this file. At run time the script reads the seed documents
(default <repo>/../shared/seeds: Chinese newsletters and English news items on
occupational safety and health), cuts them into sentences and learns two Markov
chains from them: Chinese character bigrams and English word bigrams. Every
sentence of the corpus is a fresh walk of a chain, so term frequencies follow
the seeds' Zipf-like distribution while no article is a copy of a seed.

About 70% of the articles are Chinese, 20% English and 10% Chinese with English
terms (HSE, PPE, ISO 45001 …) inside; the mixed ones have locale "zh-CN".
Chinese bodies run 300–3000 characters, English ones 80–600 words, both
lognormal. The summary is the body's first sentence.

Needles for recall checks are planted at low, known rates (see NEEDLES) and
nowhere else: a generated sentence or title that happens to contain one is
drawn again. With --out, the number of articles that contain each needle (title
or body, English ones case-insensitively), counted on the written text, goes to
<out>.needles.json, e.g. {"尘肺病": 401, …}.

Equal flags and seeds give byte-identical output; the articles of a smaller
--count are the first lines of a larger one. The only thing printed is one
summary line on stderr.
"""

import argparse
import datetime
import json
import math
import pathlib
import random
import re
import sys
import time

# Needles: (text, locale the rate applies to, share of that locale's articles).
# "zh-CN" includes the mixed articles, whose bodies are Chinese.
NEEDLES = (
    ("尘肺病", "zh-CN", 0.005),
    ("噪声聋", "zh-CN", 0.001),
    ("职业性肌肉骨骼疾病", "zh-CN", 0.0005),
    ("砷", "zh-CN", 0.002),
    ("pneumoconiosis", "en", 0.005),
    ("silicosis", "en", 0.001),
)
# Hazard category a needle implies (osh.common.v1.HazardCategory), so that a
# search filtered by hazard category still finds the planted article.
NEEDLE_HAZARD = {"尘肺病": 1, "pneumoconiosis": 1, "silicosis": 1, "砷": 2, "噪声聋": 3}

# English terms inside the mixed articles, most frequent first (weight 1/rank).
MIXED_TERMS = ("HSE", "PPE", "ISO 45001", "OSHA", "HAZOP", "JSA", "SDS", "LOTO",
               "OHSAS 18001", "NIOSH", "ILO", "TLV", "LEC")
MIXED_WEIGHTS = tuple(1 / rank for rank in range(1, len(MIXED_TERMS) + 1))

PROVINCES = ("11", "31", "32", "33", "37", "41", "42", "44", "51", "61")
# ArticleCategory 1..5: news, policy, regulation, science, case study.
CATEGORY_WEIGHTS = (35, 20, 10, 25, 10)
# Audience 1..11: the public, employers and workers dominate.
AUDIENCE_WEIGHTS = (30, 20, 25, 6, 3, 4, 6, 6, 3, 4, 8)
# HazardCategory 1..6: dust, chemical, physical, radioactive, biological, other.
HAZARD_WEIGHTS = (30, 30, 20, 6, 6, 8)
FIRST_DATE = datetime.date(2015, 1, 1).toordinal()
LAST_DATE = datetime.date(2026, 11, 1).toordinal()

ZH_ENDS = "。！？；"
ZH_CLAUSE = "，、："
ZH_BODY_CHARS = (300, 3000)
ZH_TITLE_CHARS = (8, 30)
ZH_SENTENCE_CHARS = (6, 100)
EN_BODY_WORDS = (80, 600)
EN_TITLE_WORDS = (5, 14)
EN_SENTENCE_WORDS = (5, 40)
EN_END = "</s>"


def parse_args():
    """Flags; the default seeds dir is found from this file, not the working directory."""
    repo = pathlib.Path(__file__).resolve().parents[2]
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--count", type=int, default=100000, help="articles to write")
    p.add_argument("--seed", type=int, default=7, help="random seed")
    p.add_argument("--seeds-dir", default=str(repo.parent / "shared" / "seeds"),
                   help="directory of *.txt seed documents")
    p.add_argument("--out", help="JSON Lines file (default stdout)")
    args = p.parse_args()
    if args.count < 0:
        p.error("--count must be >= 0")
    return args


def read_seed_texts(seeds_dir):
    """The seed documents in name order, so that equal seeds give equal chains."""
    paths = sorted(pathlib.Path(seeds_dir).glob("*.txt"))
    if not paths:
        sys.exit(f"make_corpus: no *.txt seed documents in {seeds_dir}")
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths]


def is_chinese(text):
    """A seed is Chinese when it has more CJK characters than Latin letters."""
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    return cjk > len(re.findall(r"[A-Za-z]", text))


def chinese_sentences(text):
    """Sentences of a Chinese seed, reduced to characters a search index sees.

    PDF extractions wrap lines every dozen characters, so short-lined files are
    joined; in the others a line is a paragraph or heading and ends a sentence.
    ASCII punctuation (some seeds use it) becomes full-width; quotes, brackets,
    Latin words and other marks are dropped, so generated text has no unpaired
    brackets. Sentences under 6 or over 200 characters (debris, run-on
    extraction) are not learnt from.
    """
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    if not lines:
        return []
    wrapped = sum(map(len, lines)) / len(lines) < 30
    text = "".join(lines) if wrapped else "。".join(lines) + "。"
    text = text.translate(str.maketrans(",;:!?", "，；：！？"))
    text = re.sub(r"[^\u4e00-\u9fff0-9" + ZH_ENDS + ZH_CLAUSE + "]", "", text)
    out = []
    for s in re.findall(r"[^" + ZH_ENDS + r"]+[" + ZH_ENDS + r"]", text):
        s = s.lstrip(ZH_CLAUSE)
        if ZH_SENTENCE_CHARS[0] <= len(s) <= ZH_SENTENCE_CHARS[1] * 2 and s[0] not in ZH_ENDS:
            out.append(s)
    return out


def english_sentences(text):
    """Sentences of an English seed as token lists (words and , ; :).

    Paragraphs end sentences too: headlines carry no full stop. A capitalised
    first word is lower-cased when the seeds use it lower-case elsewhere, so
    "The" and "the" are one chain state; proper nouns keep their capital.
    Cleans the scraping debris the seeds carry ("Br / >", "1nternet").
    """
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"<\s*br\s*/?\s*>|\bBr\s*/\s*>", " ", text, flags=re.I)
    text = re.sub(r"\b1n(?=[a-z])", "In", text)
    lower = set(re.findall(r"\b[a-z][a-z'-]*\b", text))
    out = []
    for para in re.split(r"\n\s*", text):
        for s in re.split(r"(?<=[.!?])\s+", para):
            toks = re.findall(r"[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*|[,;:]", s)
            while toks and not toks[0][0].isalnum():
                toks.pop(0)
            if sum(t[0].isalnum() for t in toks) < 4:
                continue
            if toks[0][:1].isupper() and toks[0][1:].islower() and toks[0].lower() in lower:
                toks[0] = toks[0].lower()
            out.append(toks)
    return out


def producible(needles, successors):
    """Needles whose every bigram exists in a chain: only these can appear by chance
    and must be screened out of generated text."""
    return [n for n in needles
            if all(b in successors.get(a, ()) for a, b in zip(n, n[1:]))]


class ChineseChain:
    """Character bigram Markov chain over Chinese sentences.

    Successor lists keep duplicates, so a uniform pick from a list is a pick
    weighted by bigram frequency, which is cheap (one random() per character)
    and reproduces the seeds' character and bigram distribution.
    """

    def __init__(self, sentences, needles):
        self.starts = [s[0] for s in sentences]
        self.succ = {}
        for s in sentences:
            for a, b in zip(s, s[1:]):
                self.succ.setdefault(a, []).append(b)
        self.screen = producible(needles, self.succ)

    def sentence(self, rng):
        """One sentence ending in 。！？；, cut at the maximum length, never a needle."""
        rnd, succ, starts = rng.random, self.succ, self.starts
        lo, hi = ZH_SENTENCE_CHARS
        while True:
            c = starts[int(rnd() * len(starts))]
            out = [c]
            while c not in ZH_ENDS:
                if len(out) >= hi:
                    if out[-1] in ZH_CLAUSE:
                        out.pop()
                    out.append("。")
                    break
                nxt = succ[c]
                c = nxt[int(rnd() * len(nxt))]
                out.append(c)
            s = "".join(out)
            if len(s) >= lo and not any(n in s for n in self.screen):
                return s

    def title(self, rng, length):
        """A headline of `length` characters: a walk without punctuation, one clause
        mark at most becoming a space, a sentence end starting a new walk."""
        rnd, succ, starts = rng.random, self.succ, self.starts
        while True:
            c = starts[int(rnd() * len(starts))]
            out = [c]
            while len(out) < length:
                nxt = succ.get(c)
                c = nxt[int(rnd() * len(nxt))] if nxt else starts[int(rnd() * len(starts))]
                if c in ZH_ENDS:
                    c = starts[int(rnd() * len(starts))]
                elif c in ZH_CLAUSE:
                    if " " not in out and 4 <= len(out) < length - 4:
                        out.append(" ")
                    continue
                out.append(c)
            t = "".join(out)
            if not any(n in t for n in self.screen):
                return t


class EnglishChain:
    """Word bigram Markov chain over English sentences (same duplicate-list trick)."""

    def __init__(self, sentences, needles):
        self.starts = [s[0] for s in sentences]
        self.succ = {}
        for s in sentences:
            for a, b in zip(s, s[1:] + [EN_END]):
                self.succ.setdefault(a, []).append(b)
        self.screen = [n for n in needles if n in self.succ]  # one-word needles

    def words(self, rng, lo, hi, stop_at_end):
        """Tokens of one walk: stops at a sentence end (or restarts past it when
        stop_at_end is false, for titles) and after `hi` words; None if shorter
        than `lo` words or holding a needle."""
        rnd, succ, starts = rng.random, self.succ, self.starts
        w = starts[int(rnd() * len(starts))]
        out = [w]
        n = 1
        while n < hi:
            nxt = succ[w]
            w = nxt[int(rnd() * len(nxt))]
            if w == EN_END:
                if stop_at_end:
                    break
                w = starts[int(rnd() * len(starts))]
            if w[0].isalnum():
                n += 1
            elif not stop_at_end or not out[-1][0].isalnum():
                continue  # titles carry no punctuation; never two marks in a row
            out.append(w)
        while not out[-1][0].isalnum():
            out.pop()
        if n < lo or any(t in self.screen for t in out):
            return None
        return out

    def sentence(self, rng):
        """A sentence as a token list, first letter capitalised, full stop last."""
        while True:
            toks = self.words(rng, *EN_SENTENCE_WORDS, stop_at_end=True)
            if toks:
                toks[0] = toks[0][:1].upper() + toks[0][1:]
                toks.append(".")
                return toks

    def title(self, rng, n):
        """A sentence-case headline of n words, as the seeds' headlines are."""
        while True:
            toks = self.words(rng, n, n, stop_at_end=False)
            if toks:
                return join_english(toks[0][:1].upper() + toks[0][1:], toks[1:])


def join_english(first, rest):
    """Words with spaces, punctuation tokens glued to the word before them."""
    out = [first]
    for t in rest:
        if t[0].isalnum():
            out.append(" ")
        out.append(t)
    return "".join(out)


def lognormal_in(rng, median, sigma, lo, hi):
    """A lognormal draw redrawn until inside [lo, hi]: lengths with a long right
    tail and no pile-up at the bounds that clamping would give."""
    mu = math.log(median)
    while True:
        x = int(rng.lognormvariate(mu, sigma))
        if lo <= x <= hi:
            return x


def weighted_pick(rng, weights):
    """Index (from 1) drawn with the given weights: enum values of the protos."""
    r = rng.random() * sum(weights)
    for i, w in enumerate(weights):
        r -= w
        if r < 0:
            return i + 1
    return len(weights)


def weighted_sample(rng, weights, k):
    """k distinct enum values, weighted, sorted as a client would list them."""
    chosen = []
    while len(chosen) < k:
        v = weighted_pick(rng, weights)
        if v not in chosen:
            chosen.append(v)
    return sorted(chosen)


def insert_at_clause(rng, sentence, text):
    """`text` at the start of the sentence or after one of its clause marks, where
    a new phrase reads least oddly."""
    cuts = [0] + [i + 1 for i, c in enumerate(sentence[:-1]) if c in ZH_CLAUSE]
    i = cuts[int(rng.random() * len(cuts))]
    return sentence[:i] + text + sentence[i:]


def paragraphs(rng, sentences, joiner, lo, hi):
    """Sentences grouped into paragraphs of lo..hi sentences, one per line."""
    paras, i = [], 0
    while i < len(sentences):
        n = lo + int(rng.random() * (hi - lo + 1))
        paras.append(joiner.join(sentences[i:i + n]))
        i += n
    return "\n".join(paras)


def chinese_article(rng, chain, mixed, needles):
    """Title and body of a Chinese (or mixed) article holding the given needles."""
    extra = sum(map(len, needles))
    term = None
    if mixed and rng.random() < 0.4:
        term = MIXED_TERMS[weighted_pick(rng, MIXED_WEIGHTS) - 1]
    lo, hi = ZH_TITLE_CHARS
    title = chain.title(rng, lognormal_in(rng, 16, 0.3, lo, hi - len(term or "")))
    if term:
        title = term + title if rng.random() < 0.5 else title + term
    target = lognormal_in(rng, 900, 0.6, ZH_BODY_CHARS[0], ZH_BODY_CHARS[1] - 300)
    sentences, size = [], 0
    while size < target:
        s = chain.sentence(rng)
        if mixed and (not sentences or rng.random() < 0.12):
            s = insert_at_clause(rng, s, MIXED_TERMS[weighted_pick(rng, MIXED_WEIGHTS) - 1])
        sentences.append(s)
        size += len(s)
    # Rare: a long last sentence. Counts a line break per sentence, more than
    # paragraphs() puts in, so the joined body stays within bounds.
    while len(sentences) > 1 and size + len(sentences) + extra > ZH_BODY_CHARS[1]:
        size -= len(sentences.pop())
    for n in needles:
        i = int(rng.random() * len(sentences))
        sentences[i] = insert_at_clause(rng, sentences[i], n)
    return title, paragraphs(rng, sentences, "", 2, 6), sentences[0]


def english_article(rng, chain, needles):
    """Title and body of an English article holding the given needles."""
    title = chain.title(rng, lognormal_in(rng, 8, 0.3, *EN_TITLE_WORDS))
    target = lognormal_in(rng, 220, 0.55, EN_BODY_WORDS[0], EN_BODY_WORDS[1] - 50)
    sentences, words = [], 0
    while words < target:
        toks = chain.sentence(rng)
        sentences.append(toks)
        words += sum(t[0].isalnum() for t in toks)
    for n in needles:
        toks = sentences[int(rng.random() * len(sentences))]
        toks.insert(1 + int(rng.random() * (len(toks) - 1)), n)  # never first: stays lower-case
    texts = [join_english(t[0], t[1:]) for t in sentences]
    return title, paragraphs(rng, texts, " ", 2, 5), texts[0]


def article(rng, zh, en):
    """One article: ~70% Chinese, ~20% English, ~10% mixed. Returns (kind, dict)."""
    r = rng.random()
    kind = "zh" if r < 0.7 else "en" if r < 0.9 else "mixed"
    locale = "en" if kind == "en" else "zh-CN"
    needles = [n for n, loc, rate in NEEDLES if loc == locale and rng.random() < rate]
    if kind == "en":
        title, body, summary = english_article(rng, en, needles)
    else:
        title, body, summary = chinese_article(rng, zh, kind == "mixed", needles)
    k = weighted_pick(rng, (50, 30, 15, 5))
    hazards = weighted_sample(rng, HAZARD_WEIGHTS, weighted_pick(rng, (25, 50, 20, 5)) - 1)
    for n in needles:
        if n in NEEDLE_HAZARD and NEEDLE_HAZARD[n] not in hazards:
            hazards = sorted(hazards + [NEEDLE_HAZARD[n]])
    day = FIRST_DATE + int(rng.random() * (LAST_DATE - FIRST_DATE + 1))
    return kind, {
        "title": title,
        "summary": summary,
        "body": body,
        "locale": locale,
        "category": weighted_pick(rng, CATEGORY_WEIGHTS),
        "audiences": weighted_sample(rng, AUDIENCE_WEIGHTS, k),
        "hazard_categories": hazards,
        "province": PROVINCES[int(rng.random() * len(PROVINCES))],
        "publish_date": datetime.date.fromordinal(day).isoformat(),
    }


def count_needles(doc, counts):
    """Adds 1 per needle found in the written title or body (the summary is the
    body's first sentence): the counts a recall check compares with."""
    text = doc["title"] + "\n" + doc["body"]
    low = text.lower()
    for n, _, _ in NEEDLES:
        if n in low:
            counts[n] += 1


def main():
    """Learns the chains, writes the articles and the needle counts, prints one line."""
    args = parse_args()
    started = time.monotonic()
    texts = read_seed_texts(args.seeds_dir)
    zh_sents = [s for t in texts if is_chinese(t) for s in chinese_sentences(t)]
    en_sents = [s for t in texts if not is_chinese(t) for s in english_sentences(t)]
    if not zh_sents or not en_sents:
        sys.exit(f"make_corpus: {args.seeds_dir} needs Chinese and English seeds "
                 f"({len(zh_sents)} Chinese and {len(en_sents)} English sentences found)")
    zh = ChineseChain(zh_sents, [n for n, loc, _ in NEEDLES if loc == "zh-CN"])
    en = EnglishChain(en_sents, [n for n, loc, _ in NEEDLES if loc == "en"])

    rng = random.Random(args.seed)
    counts = {n: 0 for n, _, _ in NEEDLES}
    kinds = {"zh": 0, "en": 0, "mixed": 0}
    out = open(args.out, "wb") if args.out else sys.stdout.buffer
    size, batch = 0, []
    for _ in range(args.count):
        kind, doc = article(rng, zh, en)
        kinds[kind] += 1
        count_needles(doc, counts)
        batch.append(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
        if len(batch) == 1000:
            data = ("\n".join(batch) + "\n").encode("utf-8")
            out.write(data)
            size += len(data)
            batch = []
    if batch:
        data = ("\n".join(batch) + "\n").encode("utf-8")
        out.write(data)
        size += len(data)
    out.flush()
    if args.out:
        out.close()
        with open(args.out + ".needles.json", "w", encoding="utf-8") as f:
            f.write(json.dumps(counts, ensure_ascii=False) + "\n")
    print(f"make_corpus: {args.count} articles ({kinds['zh']} Chinese, {kinds['mixed']} mixed, "
          f"{kinds['en']} English), {size / 1e6:.1f} MB to {args.out or 'stdout'} in "
          f"{time.monotonic() - started:.1f} s; needles "
          f"{json.dumps(counts, ensure_ascii=False)}", file=sys.stderr)


if __name__ == "__main__":
    main()
