"""The integers the compiled kernel and the trackers share: a path's outcome, and the marker
of a toric form. A leaf module, so that the kernel (numba), the form's layout (``compiled``)
and the array tracker name them once without importing one another."""

RUNNING, DONE, STEP_FAILED, MAX_STEPS = 0, 1, 2, 3
TORIC = -1  # Form.g_rows of a toric homotopy (a polyhedral start's)
