#!/usr/bin/env python3
"""Prints a valid unified social credit code (GB 32100-2015) for the browser
test's employer number argv[1], in division 440305, never one the seeding uses."""
import sys

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
first17 = "91440305" + "8" + f"{int(sys.argv[1]):08d}"
total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
print(first17 + ALPHABET[(31 - total % 31) % 31])
