"""Our homotopy continuation engine: every path of a homotopy advances at once, as arrays.

Laid out as HomotopyContinuation.jl lays its engine out, one concept a module:

- ``backend``: the array library (numpy on the CPU by default; torch on CPU or CUDA on
  request, imported only then);
- ``evaluate``: batched values and Jacobians of sparse polynomial systems;
- ``homotopy``: the gamma-trick straight-line homotopy in a random projective chart;
- ``start``: start systems and their solutions (total degree, polyhedral);
- ``tracker``: the predictor-corrector that moves every path along its own segment;
- ``endgame``: the Cauchy endgame for paths whose limit is singular or at infinity;
- ``paths``: the typed end state of every path and its classification;
- ``precise``: failed paths tracked again in higher precision (flint's complex balls);
- ``polyhedral``: start systems from PHCpack's mixed cells, solved by our toric homotopies;
- ``family`` and ``monodromy``: parameter homotopies and monodromy loops;
- ``compiled``, ``kernel`` and ``aot``: the compiled kernel that tracks paths one by one on every
  core (numba's JIT), or on one core from an extension built ahead of time (no start-up);
- ``engine``: a solve run by run (start, paths, jumps, verification).

``algebra.solve`` puts them together; PHCpack stays the cross-check and the source of the
mixed cells (and of a start system where ours fails its checks).
"""
