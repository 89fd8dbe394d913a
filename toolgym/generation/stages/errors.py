"""Why a generation attempt was rejected."""

from toolgym.errors import ToolgymError


class GenerationRejected(ToolgymError):
    """One attempt produced a task that breaks an invariant; the pipeline retries with a derived sub-seed."""


class GenerationError(ToolgymError):
    """No valid task after the allowed number of attempts: a bug in a backend or a domain."""
