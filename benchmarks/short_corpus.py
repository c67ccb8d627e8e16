"""A synthetic corpus of short documents for the command's memory and speed: each a new one
(20-60 words of 50,000) or, three times in ten, the one before with a word replaced.

    python benchmarks/short_corpus.py 400000 c400k.jsonl
"""
import json
import random
import sys

n = int(sys.argv[1]); rng = random.Random(0)
vocab = [f"w{i}" for i in range(50000)]
words = None
with open(sys.argv[2], "w") as f:
    for i in range(n):
        if words is None or rng.random() < 0.7:
            words = [rng.choice(vocab) for _ in range(rng.randrange(20, 60))]
        else:
            words = list(words); words[rng.randrange(len(words))] = rng.choice(vocab)
        f.write(json.dumps({"id": i, "text": " ".join(words)}) + "\n")
