"""Adapters to the training stacks people use: TRL, OpenEnv, verl, and SFT exports.

Each adapter is its own module, imported only when asked for (`from toolgym.integrations import trl`), so
`import toolgym` never imports torch, transformers or a server framework. A missing stack raises
`MissingDependencyError` naming the extra to install.
"""
