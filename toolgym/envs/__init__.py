"""The Gymnasium side: `ToolEnv`, its spaces, and registration of task sets as ids."""

from toolgym.envs.registration import NAMESPACE, register_tasks
from toolgym.envs.spaces import Completion, Conversation
from toolgym.envs.tool_env import ToolEnv, transcript
from toolgym.envs.vector import BatchedVectorEnv, make_batched

__all__ = ["NAMESPACE", "BatchedVectorEnv", "Completion", "Conversation", "ToolEnv", "make_batched",
           "register_tasks", "transcript"]
