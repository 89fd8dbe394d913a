"""The Gymnasium side: `ToolEnv`, its spaces, and registration of task sets as ids."""

from toolgym.envs.registration import NAMESPACE, register_tasks
from toolgym.envs.spaces import Completion, Conversation
from toolgym.envs.tool_env import ToolEnv, transcript

__all__ = ["NAMESPACE", "Completion", "Conversation", "ToolEnv", "register_tasks", "transcript"]
