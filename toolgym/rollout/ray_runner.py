"""The runner spread over a Ray cluster (the optional `ray` extra; nothing else in toolgym imports Ray).

Each actor holds its own policy (built inside the actor from a picklable factory: a client, or a local model
loaded once) and runs the ordinary `Runner` over a few envs on one long-lived event loop. The driver hands out
chunks of episodes, keeps every actor busy, and passes each finished chunk's trajectories to `on_done`, so
`evaluate` writes the same JSONL, summary and resume state as in-process; a killed run loses the chunks in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

import gymnasium as gym

from toolgym.errors import MissingDependencyError
from toolgym.rollout.policy import Policy
from toolgym.rollout.runner import EpisodeSpec, Runner, Trajectory

DEFAULT_ACTORS = 2
DEFAULT_ENVS_PER_ACTOR = 4


class EpisodeActor:
    """A Ray actor's body: one policy, one event loop, the in-process `Runner` over `envs` concurrent episodes."""

    def __init__(self, policy_factory: Callable[[], Policy], env_factory: Callable[[str], gym.Env],
                 envs: int) -> None:
        self.loop = asyncio.new_event_loop()  # one loop for the actor's life: clients stay bound to it
        self.runner = Runner(policy_factory(), env_factory, concurrency=envs)

    def play(self, specs: list[EpisodeSpec]) -> list[Trajectory]:
        return self.loop.run_until_complete(self.runner.run(specs))


class RayRunner:
    """Plays episodes on Ray actors. `address`: a cluster to join (`"auto"`, `"ray://host:10001"`), or None to
    use the running Ray instance or start a local one.

    >>> runner = RayRunner(OraclePolicy, lambda s: make_env(s, split="test"), actors=2)   # doctest: +SKIP
    >>> asyncio.run(runner.run(episodes(["ToolEnv/travel-L1"], n=4)))                      # doctest: +SKIP
    """

    def __init__(self, policy_factory: Callable[[], Policy], env_factory: Callable[[str], gym.Env], *,
                 address: str | None = None, actors: int = DEFAULT_ACTORS,
                 envs_per_actor: int = DEFAULT_ENVS_PER_ACTOR) -> None:
        try:
            import ray
        except ImportError:
            raise MissingDependencyError("ray", "ray") from None
        if not ray.is_initialized():
            ray.init(address=address, log_to_driver=False)
        actor = ray.remote(num_cpus=0)(EpisodeActor)  # the work is mostly waiting on the model: no CPU reserved
        self.actors = [actor.remote(policy_factory, env_factory, envs_per_actor) for _ in range(actors)]
        self.chunk = envs_per_actor

    async def run(self, specs: Iterable[EpisodeSpec], on_done: Callable[[Trajectory], None] | None = None
                  ) -> list[Trajectory]:
        """Play every spec; return the trajectories in the order their chunks finished."""
        specs = list(specs)
        chunks = iter([specs[i:i + self.chunk] for i in range(0, len(specs), self.chunk)])
        busy: dict[asyncio.Future[Any], Any] = {}
        done: list[Trajectory] = []

        def assign(actor: Any) -> None:
            chunk = next(chunks, None)
            if chunk is not None:
                busy[asyncio.wrap_future(actor.play.remote(chunk).future())] = actor

        for actor in self.actors:
            assign(actor)
        while busy:
            finished, _ = await asyncio.wait(busy, return_when=asyncio.FIRST_COMPLETED)
            for future in finished:
                actor = busy.pop(future)
                for trajectory in future.result():  # an actor's RunAborted re-raises here
                    done.append(trajectory)
                    if on_done is not None:
                        on_done(trajectory)
                assign(actor)
        return done
