#!/usr/bin/env python
"""Check the Chinese NLU training data for jieba token alignment problems.

For every training example in data/nlu/*.yml this script

* tokenizes the text the way Rasa's JiebaTokenizer does (``jieba.tokenize``
  after loading the user dictionaries in data/jieba/), and reports every
  entity annotation whose start or end does not fall on a token boundary
  (such entities cannot be learned by DIET / CRF and Rasa only warns about
  them during training);
* reports exact duplicate example texts that appear under more than one
  intent (and duplicates inside one intent);
* reports synonym texts that are mapped to more than one canonical value.

Usage (from the project root):

    .venv/bin/python scripts/check_entity_alignment.py [--nlu-dir data/nlu]
        [--jieba-dir data/jieba] [-v]

Exit code 0 when nothing is reported, 1 otherwise.
"""

import argparse
import collections
import glob
import logging
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_jieba(jieba_dir):
    import jieba

    jieba.setLogLevel(logging.WARNING)
    files = sorted(glob.glob(os.path.join(jieba_dir, "*")))
    # same as rasa.nlu.tokenizers.jieba_tokenizer.JiebaTokenizer._load_custom_dictionary
    for path in files:
        jieba.load_userdict(path)
    return jieba, files


def tokenize(jieba, text):
    # same call as JiebaTokenizer.tokenize (default mode, HMM on)
    return [(word, start, end) for word, start, end in jieba.tokenize(text)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nlu-dir", default=os.path.join(ROOT, "data", "nlu"))
    parser.add_argument("--jieba-dir", default=os.path.join(ROOT, "data", "jieba"))
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also print per-intent and per-entity counts"
    )
    args = parser.parse_args()

    logging.basicConfig(level=logging.ERROR)
    from rasa.shared.nlu.training_data.loading import load_data

    jieba, dict_files = load_jieba(args.jieba_dir)
    if not dict_files:
        print(f"WARNING: no jieba dictionary found in {args.jieba_dir}")

    problems = 0
    seen = collections.defaultdict(list)  # text -> [(file, intent)]
    synonym_values = collections.defaultdict(set)  # text -> {value}
    intent_counts = collections.Counter()
    entity_counts = collections.Counter()

    files = sorted(
        glob.glob(os.path.join(args.nlu_dir, "*.yml"))
        + glob.glob(os.path.join(args.nlu_dir, "*.yaml"))
    )
    for path in files:
        rel = os.path.relpath(path, ROOT)
        td = load_data(path)
        for syn_text, value in td.entity_synonyms.items():
            synonym_values[syn_text].add(value)
        for ex in td.training_examples:
            text = ex.get("text")
            intent = ex.get("intent")
            if not text or not intent:
                continue
            intent_counts[intent] += 1
            seen[text].append((rel, intent))
            entities = ex.get("entities") or []
            if not entities:
                continue
            tokens = tokenize(jieba, text)
            starts = {s for _, s, _ in tokens}
            ends = {e for _, _, e in tokens}
            for ent in entities:
                entity_counts[ent["entity"]] += 1
                s, e = ent["start"], ent["end"]
                if s not in starts or e not in ends:
                    problems += 1
                    toks = " | ".join(w for w, _, _ in tokens)
                    print(
                        f"MISALIGNED {rel} [{intent}] {ent['entity']}="
                        f"'{text[s:e]}' ({s}-{e}) in '{text}'  tokens: {toks}"
                    )

    for text, where in seen.items():
        if len(where) > 1:
            problems += 1
            intents = sorted({i for _, i in where})
            kind = "DUPLICATE-ACROSS-INTENTS" if len(intents) > 1 else "DUPLICATE"
            print(f"{kind} '{text}': " + ", ".join(f"{f}:{i}" for f, i in where))

    # synonyms declared in different files / annotations must not conflict
    td_all = load_data(args.nlu_dir)
    for syn_text, value in td_all.entity_synonyms.items():
        synonym_values[syn_text].add(value)
    for syn_text, values in synonym_values.items():
        if len(values) > 1:
            problems += 1
            print(f"SYNONYM-CONFLICT '{syn_text}' -> {sorted(values)}")

    if args.verbose:
        print("\nexamples per intent:")
        for intent, n in sorted(intent_counts.items()):
            print(f"  {intent:28s} {n}")
        print("annotated entities:")
        for ent, n in sorted(entity_counts.items()):
            print(f"  {ent:28s} {n}")

    print(
        f"\n{len(files)} files, {sum(intent_counts.values())} examples, "
        f"{sum(entity_counts.values())} entities, {problems} problem(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
