"""The procedural generator's version: bump it whenever the same inputs would produce a different task."""

GENERATOR_VERSION = "0.2.0"  # 0.2.0: answer types, tool surfaces, phrasings, 32 domains (catalog v2)
