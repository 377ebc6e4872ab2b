"""Homotopies of network systems through the network's forward pass (the network side).

The engine (``algebra.continuation``) tracks any evaluator of values and Jacobians; here
are a network's: ``equations`` (zero-loss and critical equations by forward-mode jets, and
their projective form), ``jets`` (second-order forward mode and the loss gradient),
``balls`` (the same forward pass in flint balls, for Krawczyk's test), ``data`` (moving
the data points, for monodromy between data sets) and ``regularization`` (the L2 weight
lambda to 0, for the critical set). These import the engine and ``algebra.networks``; the
engine imports none of them: it is handed an evaluator (``equations.ForwardPass``).
"""
