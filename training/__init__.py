"""PyTorch training backend: the paper's all-conv network, data, optimizers, trajectories."""
