#!/usr/bin/env python3
"""bench_parse.py - times python3-feedparser over one feed, for bench_parse.

Usage: bench_parse.py FILE [REPS]

Reads FILE once, then times feedparser.parse() over its bytes REPS times
(default 5), inside Python so that start-up and reading the file are not
counted.  Prints one line: the number of entries, then each run's seconds.
"""
import sys
import time

import feedparser


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: bench_parse.py FILE [REPS]")
    reps = int(sys.argv[2]) if len(sys.argv) == 3 else 5
    if reps < 1:
        sys.exit("bench_parse.py: REPS must be at least 1")
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    times = []
    entries = 0
    for _ in range(reps):
        t0 = time.perf_counter()
        d = feedparser.parse(data)
        times.append(time.perf_counter() - t0)
        entries = len(d.entries)
    print(entries, " ".join("%.6f" % t for t in times))


if __name__ == "__main__":
    main()
