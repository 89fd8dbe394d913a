"""Training: a plain torch + transformers GRPO loop over toolgym envs, an SFT warm start, and checkpoint analysis.

The trainer samples with the rollout package's `LocalPolicy` over the model being trained (batched `generate`,
prompt and completion token ids kept), so what is trained is exactly what was sampled, and evaluation
(`toolgym eval --local`) renders prompts the same way. Pieces, each in its own module: `models` (which model;
`tiny` for smoke tests), `sequences` (turns as training sequences; the SFT teacher), `advantages` (returns to
advantages: `grpo`, `reinforce++`), `loss` (log-probs, clipped ratio, k3 KL), `states` (`--mode states`),
`trainer` (the loop, checkpoints, metrics log), `plots`, `param_delta`. Needs the `train` extra (torch,
transformers); nothing here is imported by `import toolgym`.
"""
