"""Names the command line needs before anything heavy is imported (no torch here)."""

EXPERIMENTS = ("sgd-stages", "gd-branches", "perturb-retrain", "random-labels", "overparam")
SCALES = ("micro", "tiny", "paper")
