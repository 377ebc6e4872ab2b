"""Our homotopy continuation engine: every path of a homotopy advances at once, as arrays.

Laid out as HomotopyContinuation.jl lays its engine out, one concept a module:

- ``backend``: the array library (numpy on the CPU by default; torch on CPU or CUDA on
  request, imported only then);
- ``evaluate``: batched values and Jacobians of sparse polynomial systems;
- ``homotopy``: the gamma-trick straight-line homotopy in a random projective chart;
- ``start``: start systems and their solutions (total degree, multihomogeneous, polyhedral);
- ``tracker``: the predictor-corrector that moves every path along its own segment;
- ``compiled``, ``kernel``, ``codes`` and ``aot``: the compiled tracker, on every core
  (numba's JIT) or on one core from an extension built ahead of time (no start-up);
- ``endgame`` and ``cycle_endgame``: the Cauchy endgame for paths whose limit is singular
  or at infinity, and the loops that close a cycle of paths;
- ``paths``: the typed end state of every path and its classification;
- ``precise``: failed paths tracked again in higher precision (flint's complex balls);
- ``polyhedral``: start systems from PHCpack's mixed cells, solved by our toric homotopies;
- ``result``: each path's end, the distinct solutions and the one-line summary (``SolveResult``);
- ``verdict``: certified, complete with probability one, or a lower bound;
- ``engine``: a solve run by run (start, paths, jumps, verification);
- ``family``, ``monodromy``, ``completeness`` and ``checkpoint``: parameter homotopies,
  monodromy loops, the trace test, and state that survives a stop.

The engine knows polynomial systems and evaluators, never a network: it imports nothing
from ``algebra.networks``, ``systems``, ``dimension``, ``critical*`` or ``network_homotopy``
(a test imports it with those blocked). A network's forward pass reaches it as an
evaluator object (``network_homotopy.equations.ForwardPass``). ``algebra.solve`` is the
front door; PHCpack stays the cross-check and the source of the mixed cells.
"""
