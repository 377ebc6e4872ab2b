"""Data sets as whole tensors on the device: CIFAR-10 (local), digits (embedded), synthetic.

- ``cifar10``: the standard python-pickle layout read through torchvision from a local
  folder (download=False). The folder may be the one holding ``cifar-10-batches-py`` or that
  folder itself. A missing or damaged folder raises ``DataError`` naming the folder, the
  files expected and where to get them.
- ``digits``: scikit-learn's handwritten digits (1,797 8x8 images, shipped with
  scikit-learn), upsampled to 32x32 and repeated over 3 channels: the CIFAR tensor layout.
  Fixed split: a permutation with seed 0, the first 1,437 (80%) for training.
- ``synthetic``: Gaussian class prototypes in 3x32x32 plus noise (seeded; ``n_train``).
- ``random_labels``: the training labels permuted (seeded), for any data set.

Inputs are standardized per channel with the training set's mean and std.
"""
from __future__ import annotations

import functools
import os
import pickle
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

CIFAR_FILES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5",
               "test_batch", "batches.meta")
CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
DATASETS = ("digits", "synthetic", "cifar10")


class DataError(ValueError):
    """A data set cannot be read: the message says which folder, which files, where to get them."""


@dataclass
class Dataset:
    name: str
    x_train: torch.Tensor   # (N, 3, 32, 32)
    y_train: torch.Tensor   # (N,) int64
    x_test: torch.Tensor
    y_test: torch.Tensor
    num_classes: int = 10

    def describe(self) -> dict:
        return {"name": self.name, "train": len(self.y_train), "test": len(self.y_test),
                "shape": list(self.x_train.shape[1:]), "classes": self.num_classes}


def _cifar_folder(root: str) -> str:
    for candidate in (os.path.join(root, "cifar-10-batches-py"), root):
        if all(os.path.exists(os.path.join(candidate, f)) for f in CIFAR_FILES):
            return candidate
    missing = [f for f in CIFAR_FILES if not os.path.exists(os.path.join(root, "cifar-10-batches-py", f))]
    which = "" if len(missing) == len(CIFAR_FILES) else f" (missing {', '.join(missing)})"
    raise DataError(f"CIFAR-10 not found in {root!r}: expected {root}/cifar-10-batches-py/ with "
                    f"{', '.join(CIFAR_FILES)}{which}; download and unpack {CIFAR_URL} there "
                    "(no machine here reaches the internet)")


def load_cifar10(root: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """uint8 images (N, 3, 32, 32) and labels, through torchvision's CIFAR10 reader."""
    from torchvision.datasets import CIFAR10

    folder = _cifar_folder(root)

    class _Local(CIFAR10):
        # torchvision checks md5 sums of the official files; the files are present (checked
        # above) and their content is checked below, which also admits small test files
        def _check_integrity(self) -> bool:
            return True

        def _load_meta(self) -> None:
            with open(os.path.join(self.root, self.base_folder, self.meta["filename"]), "rb") as f:
                self.classes = pickle.load(f, encoding="latin1")[self.meta["key"]]
            self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    parent = os.path.dirname(os.path.abspath(folder))
    out = []
    try:
        for train in (True, False):
            ds = _Local(parent, train=train, download=False)
            x = np.asarray(ds.data).transpose(0, 3, 1, 2)
            y = np.asarray(ds.targets, dtype=np.int64)
            if x.ndim != 4 or x.shape[1:] != (3, 32, 32) or len(y) != len(x) or not len(y):
                raise ValueError(f"images of shape {x.shape[1:]} for {len(y)} labels")
            if y.min() < 0 or y.max() > 9:
                raise ValueError(f"labels outside 0..9 ({y.min()}..{y.max()})")
            out += [x, y]
    except (pickle.UnpicklingError, EOFError, KeyError, ValueError, TypeError, OSError, RuntimeError) as exc:
        raise DataError(f"CIFAR-10 in {folder!r} is damaged ({type(exc).__name__}: {exc}); unpack "
                        f"{CIFAR_URL} there again") from None
    return out[0], out[1], out[2], out[3]


def load_digits_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's digits as float (N, 3, 32, 32) in [0, 1], fixed 80/20 split."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = torch.tensor(digits.images / 16.0, dtype=torch.float32)[:, None]
    images = F.interpolate(images, size=(32, 32), mode="bilinear", align_corners=False).repeat(1, 3, 1, 1)
    order = np.random.default_rng(0).permutation(len(images))
    cut = int(0.8 * len(images))
    x, y = images.numpy()[order], digits.target.astype(np.int64)[order]
    return x[:cut], y[:cut], x[cut:], y[cut:]


def make_synthetic(n_train: int = 2000, n_test: int = 500, seed: int = 0, noise: float = 1.0):
    """Ten Gaussian prototypes (3x32x32, smoothed) plus isotropic noise."""
    g = torch.Generator().manual_seed(seed)
    protos = F.avg_pool2d(torch.randn(10, 3, 32, 32, generator=g), 5, stride=1, padding=2) * 3
    def draw(n):
        y = torch.randint(0, 10, (n,), generator=g)
        return (protos[y] + noise * torch.randn(n, 3, 32, 32, generator=g)).numpy(), y.numpy()
    x_tr, y_tr = draw(n_train)
    x_te, y_te = draw(n_test)
    return x_tr, y_tr, x_te, y_te


@functools.lru_cache(maxsize=4)
def cached_dataset(name: str, root: str | None, device: str, random_labels: bool = False, seed: int = 0,
                   n_train: int | None = None) -> Dataset:
    """``load_dataset``, once per process: the units of work of one worker share it."""
    return load_dataset(name, root, device, random_labels, seed, n_train=n_train)


def load_dataset(name: str = "digits", root: str | None = None, device: str | torch.device = "cpu",
                 random_labels: bool = False, seed: int = 0, dtype=torch.float32,
                 n_train: int | None = None) -> Dataset:
    """A whole data set as tensors on ``device``, standardized by the training set.

    ``n_train`` keeps the first n training points (the order is fixed, so this is seeded).
    """
    if name == "cifar10":
        if not root:
            raise DataError("cifar10 needs --root DIR, the folder holding cifar-10-batches-py/")
        x_tr, y_tr, x_te, y_te = load_cifar10(root)
        x_tr, x_te = x_tr.astype(np.float32) / 255, x_te.astype(np.float32) / 255
    elif name == "digits":
        x_tr, y_tr, x_te, y_te = load_digits_split()
    elif name == "synthetic":
        x_tr, y_tr, x_te, y_te = make_synthetic(n_train or 2000, seed=seed)
    else:
        raise DataError(f"unknown data set {name!r}: use {', '.join(DATASETS)}")
    if n_train is not None:
        if n_train < 1:
            raise DataError(f"n_train must be >= 1, got {n_train}")
        if n_train > len(x_tr):
            raise DataError(f"n_train {n_train:,}: {name} has {len(x_tr):,} training points")
        x_tr, y_tr = x_tr[:n_train], y_tr[:n_train]
    if random_labels:
        y_tr = np.random.default_rng([seed, 11]).permutation(y_tr)
    x_tr = torch.as_tensor(np.ascontiguousarray(x_tr), dtype=dtype)
    x_te = torch.as_tensor(np.ascontiguousarray(x_te), dtype=dtype)
    mean = x_tr.mean(dim=(0, 2, 3), keepdim=True)
    std = x_tr.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    to = dict(device=device)
    return Dataset(name + ("-random-labels" if random_labels else ""),
                   ((x_tr - mean) / std).to(**to), torch.as_tensor(y_tr, dtype=torch.int64).to(**to),
                   ((x_te - mean) / std).to(**to), torch.as_tensor(y_te, dtype=torch.int64).to(**to))


def write_tiny_cifar10(folder: str, per_batch: int = 4, seed: int = 0) -> None:
    """CIFAR-10 files in the real pickle layout (5 training batches, a test batch, the
    meta file) with ``per_batch`` random images each: for tests and demos."""
    rng = np.random.default_rng(seed)
    path = os.path.join(folder, "cifar-10-batches-py")
    os.makedirs(path, exist_ok=True)
    for name in CIFAR_FILES[:-1]:
        # the official files are Python 2 pickles of dicts with str keys, which Python 3
        # reads back (encoding latin1, as torchvision does) with str keys: written alike here
        batch = {"batch_label": name, "labels": rng.integers(0, 10, per_batch).tolist(),
                 "data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                 "filenames": [f"{name}_{k}.png" for k in range(per_batch)]}
        with open(os.path.join(path, name), "wb") as f:
            pickle.dump(batch, f, protocol=2)
    meta = {"num_cases_per_batch": per_batch, "num_vis": 3072,
            "label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                            "ship", "truck"]}
    with open(os.path.join(path, "batches.meta"), "wb") as f:
        pickle.dump(meta, f, protocol=2)
