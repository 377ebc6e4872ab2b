"""The array library paths are tracked with: numpy by default, torch when a device is asked for.

Both are reached through the array API standard (numpy 2 implements it in its own
namespace; torch through array-api-compat), so the tracker is written once. torch is
imported only when ``device`` is not None, so algebra/ imports without it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from algebra.errors import SpecError

DEVICES = ("cpu", "cuda")


@dataclass(frozen=True)
class Backend:
    """An array namespace, its device and the complex dtype paths are tracked in."""

    xp: object
    device: object = None
    name: str = "numpy"

    def asarray(self, a, dtype=None):
        """A host array (or scalar) moved to this backend, complex128 unless told otherwise."""
        xp = self.xp
        if self.name == "numpy":
            return np.asarray(a, dtype=dtype or np.complex128)
        import torch

        dtype = dtype or torch.complex128
        if isinstance(a, torch.Tensor):
            return a.to(device=self.device, dtype=dtype)
        return xp.asarray(np.asarray(a), dtype=dtype, device=self.device)

    def real_dtype(self):
        if self.name == "numpy":
            return np.float64
        import torch

        return torch.float64

    def int_dtype(self):
        if self.name == "numpy":
            return np.int64
        import torch

        return torch.int64

    def index(self, idx: np.ndarray):
        """A host integer index array, usable to index this backend's arrays."""
        return idx if self.name == "numpy" else self.asarray(idx, self.int_dtype())

    def mask(self, m: np.ndarray):
        """A host boolean array on this backend."""
        if self.name == "numpy":
            return m
        import torch

        return torch.as_tensor(m, device=self.device)

    def to_numpy(self, a) -> np.ndarray:
        if self.name == "numpy":
            return np.asarray(a)
        return a.detach().cpu().numpy()

    def transposed(self, a):
        """The transpose of a 2-d array, laid out row by row (contiguous)."""
        if self.name == "numpy":
            return np.ascontiguousarray(a.T)
        return a.T.contiguous()

    def solve(self, a, b):
        """Batched a x = b for a (P, m, m) and b (P, m); NaN rows where a matrix is singular
        (that path's step is then rejected, instead of one singular matrix failing all)."""
        if self.name == "numpy":
            try:
                return np.linalg.solve(a, b[..., None])[..., 0]
            except np.linalg.LinAlgError:
                out = np.full(b.shape, np.nan + 0j)
                for p in range(a.shape[0]):
                    try:
                        out[p] = np.linalg.solve(a[p], b[p])
                    except np.linalg.LinAlgError:
                        pass
                return out
        import torch

        x, info = torch.linalg.solve_ex(a, b[..., None])
        x = x[..., 0]
        return torch.where((info != 0)[:, None], torch.full_like(x, complex("nan")), x)

    def matmul_sparse(self, dense, csr):
        """dense (P, T) times the transpose of a scipy CSR matrix (R, T) -> (P, R)."""
        if self.name == "numpy":
            return (csr @ dense.T).T
        return dense @ self._torch_dense(csr).T

    def _torch_dense(self, csr):
        key = id(csr)
        cache = self.__dict__.setdefault("_dense", {})
        if key not in cache:
            cache[key] = (csr, self.asarray(csr.toarray()))
        return cache[key][1]


def backend(device: str | None = None) -> Backend:
    """numpy for None; torch on "cpu", "cuda" or "cuda:N" otherwise.

    >>> backend().name
    'numpy'
    """
    if device is None:
        return Backend(np, None, "numpy")
    if not isinstance(device, str) or device.split(":")[0] not in DEVICES:
        raise SpecError(f"device {device!r}: use cpu or cuda (cuda:N), or leave it out for numpy")
    try:
        import torch
        from array_api_compat import torch as xp_torch
    except ImportError as exc:
        raise SpecError(f"--device {device} needs torch and array-api-compat: {exc}") from None
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise SpecError(f"device {device}: no CUDA device is visible here (torch {torch.__version__})")
    return Backend(xp_torch, torch.device(device), "torch")
