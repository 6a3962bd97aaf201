#!/usr/bin/env python3
"""VADER (PyPI vaderSentiment) on a labelled file, scored like `comptoir eval sentiment`.

Usage: python3 tools/vader_eval.py --format airline|umsab|tweeteval FILE
Prints the same JSON shape as `comptoir eval sentiment --json`. The usual VADER rule:
compound >= 0.05 positive, <= -0.05 negative, else neutral. `texts_per_sec` times the
polarity_scores calls alone, on one thread.
"""
import argparse
import csv
import json
import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

COLUMNS = {"airline": "airline_sentiment", "umsab": "label", "tweeteval": "label"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--format", choices=sorted(COLUMNS), required=True)
    parser.add_argument("file")
    args = parser.parse_args()
    texts, truth = [], []
    with open(args.file, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text, label = row["text"].strip(), row[COLUMNS[args.format]].strip().lower()
            if text and label:
                texts.append(text)
                truth.append(label)
    analyzer = SentimentIntensityAnalyzer()
    started = time.perf_counter()
    compounds = [analyzer.polarity_scores(text)["compound"] for text in texts]
    seconds = time.perf_counter() - started
    predicted = ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in compounds]
    per_class = {}
    for label in sorted(set(truth)):
        tp = sum(1 for t, p in zip(truth, predicted) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted) if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    print(json.dumps({
        "n": len(texts),
        "accuracy": sum(t == p for t, p in zip(truth, predicted)) / len(texts),
        "macro_f1": sum(c["f1"] for c in per_class.values()) / len(per_class),
        "per_class": per_class,
        "texts_per_sec": round(len(texts) / seconds),
        "model": "vaderSentiment",
    }))


if __name__ == "__main__":
    main()
