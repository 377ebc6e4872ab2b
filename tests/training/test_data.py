"""Data sets: CIFAR-10 from real-format files, the embedded digits, errors."""
import os

import pytest
import torch

from training.data import CIFAR_FILES, DataError, load_dataset, write_tiny_cifar10


def test_missing_cifar_folder_names_folder_files_and_source(tmp_path):
    with pytest.raises(DataError) as err:
        load_dataset("cifar10", root=str(tmp_path / "nowhere"))
    text = str(err.value)
    assert "nowhere" in text and "data_batch_1" in text and "cifar-10-python.tar.gz" in text
    assert "\n" not in text


def test_cifar_needs_a_root():
    with pytest.raises(DataError, match="--root"):
        load_dataset("cifar10")


def test_partial_cifar_folder_lists_the_missing_files(tmp_path):
    write_tiny_cifar10(str(tmp_path))
    os.remove(tmp_path / "cifar-10-batches-py" / "test_batch")
    with pytest.raises(DataError, match="missing test_batch"):
        load_dataset("cifar10", root=str(tmp_path))


def test_damaged_cifar_file(tmp_path):
    write_tiny_cifar10(str(tmp_path))
    (tmp_path / "cifar-10-batches-py" / "data_batch_2").write_bytes(b"\x80\x02not a pickle")
    with pytest.raises(DataError, match="damaged"):
        load_dataset("cifar10", root=str(tmp_path))


def test_unknown_data_set():
    with pytest.raises(DataError, match="unknown data set"):
        load_dataset("mnist")


def test_cifar_read_from_real_pickle_layout(tmp_path):
    write_tiny_cifar10(str(tmp_path), per_batch=3, seed=5)
    for root in (tmp_path, tmp_path / "cifar-10-batches-py"):  # parent or the folder itself
        d = load_dataset("cifar10", root=str(root))
        assert d.x_train.shape == (15, 3, 32, 32) and d.x_test.shape == (3, 3, 32, 32)
        assert d.y_train.dtype == torch.int64
    import pickle

    with open(tmp_path / "cifar-10-batches-py" / "data_batch_1", "rb") as f:
        raw = pickle.load(f, encoding="latin1")
    assert d.y_train[:3].tolist() == raw["labels"]
    # row-major 3072 bytes: red plane first, as in the official files
    from training.data import load_cifar10

    x_tr, y_tr, _, _ = load_cifar10(str(tmp_path))
    assert (x_tr[0] == raw["data"][0].reshape(3, 32, 32)).all() and x_tr.dtype.name == "uint8"
    assert sorted(os.listdir(tmp_path / "cifar-10-batches-py")) == sorted(CIFAR_FILES)


def test_digits_are_embedded_and_split_fixed():
    a, b = load_dataset("digits"), load_dataset("digits")
    assert a.describe() == {"name": "digits", "train": 1437, "test": 360, "shape": [3, 32, 32], "classes": 10}
    assert torch.equal(a.y_train, b.y_train) and torch.equal(a.x_test, b.x_test)
    assert abs(a.x_train.mean().item()) < 1e-5  # standardized by the training set


def test_random_labels_are_a_seeded_permutation():
    base = load_dataset("digits")
    r1 = load_dataset("digits", random_labels=True, seed=3)
    r2 = load_dataset("digits", random_labels=True, seed=3)
    assert torch.equal(r1.y_train, r2.y_train)
    assert torch.equal(torch.sort(r1.y_train).values, torch.sort(base.y_train).values)
    assert (r1.y_train != base.y_train).float().mean() > 0.5
    assert torch.equal(r1.y_test, base.y_test)


def test_synthetic_size_and_seed():
    s = load_dataset("synthetic", n_train=50, seed=1)
    assert s.x_train.shape == (50, 3, 32, 32)
    assert torch.equal(s.y_train, load_dataset("synthetic", n_train=50, seed=1).y_train)
