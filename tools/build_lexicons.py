#!/usr/bin/env python3
"""Builds models/polarity-lexicons.tsv from two published polarity lexicons.

- English: the VADER lexicon (`vader_lexicon.txt` of the PyPI package vaderSentiment
  3.3.2, MIT licence, C.J. Hutto and Eric Gilbert): mean human valence in [-4, 4].
- French: `fr-sentiment.xml` of the PyPI package textblob-fr 0.2.0 (the package is MIT,
  Steven Loria; the lexicon itself says license="PDDL", Tom De Smedt, Walter Daelemans,
  from Pattern): adjective polarity in [-1, 1], stored here times 4 to share VADER's scale.

Words are folded as the nlp tokeniser folds them (lower case, Latin accents removed,
`oe`/`ae` ligatures spelt out); entries of several words are dropped; French forms that
fold to the same word are averaged. Output: `word<TAB>english<TAB>french`, a valence with
two decimals or an empty field, sorted by word. Deterministic.

    pip download --no-deps vaderSentiment==3.3.2 textblob-fr==0.2.0   # then unzip both
    python3 tools/build_lexicons.py vaderSentiment/vader_lexicon.txt \
        textblob_fr/fr-sentiment.xml models/polarity-lexicons.tsv
"""
import sys
import unicodedata
import xml.etree.ElementTree as ET


def fold(word):
    word = word.lower().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def main():
    vader_path, french_path, target = sys.argv[1:4]
    english = {}
    for line in open(vader_path, encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 2 or " " in parts[0].strip():
            continue
        word = fold(parts[0].strip())
        if word and word not in english:
            english[word] = float(parts[1])
    french_sums = {}
    for node in ET.parse(french_path).getroot().iter("word"):
        word = fold(node.get("form", "").strip())
        if not word or " " in word:
            continue
        total, count = french_sums.get(word, (0.0, 0))
        french_sums[word] = (total + 4.0 * float(node.get("polarity", "0")), count + 1)
    french = {word: total / count for word, (total, count) in french_sums.items()}
    french = {word: value for word, value in french.items() if abs(value) >= 0.05}
    with open(target, "w", encoding="utf-8") as out:
        for word in sorted(set(english) | set(french)):
            if "\t" in word or "\n" in word:
                continue
            en = f"{english[word]:.2f}" if word in english else ""
            fr = f"{french[word]:.2f}" if word in french else ""
            out.write(f"{word}\t{en}\t{fr}\n")
    print(f"{target}: {len(english)} English, {len(french)} French entries")


if __name__ == "__main__":
    main()
