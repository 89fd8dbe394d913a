"""The procedural generator's version: bump it whenever the same inputs would produce a different task."""

GENERATOR_VERSION = "0.1.0"
