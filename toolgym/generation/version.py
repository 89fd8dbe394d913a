"""The procedural generator's version: bump it whenever the same inputs would produce a different task."""

GENERATOR_VERSION = "0.3.0"  # 0.3.0: searches and ids, list answers, homonyms, date arithmetic (catalog v3)
