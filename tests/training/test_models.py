"""The paper's network and the twins of the algebra networks."""
import pytest
import torch

from training.activations import Polynomial, make_activation
from training.models import (PAPER_PARAMETERS, AllConvNet, DenseNet, TreeNet, dense_names,
                             tree_names)


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="relu"):
        make_activation("tanh")


def test_constant_polynomial_is_refused():
    with pytest.raises(ValueError, match="p_k"):
        Polynomial([1.0, 0.0])


def test_bad_width_multiplier():
    with pytest.raises(ValueError, match="width multiplier"):
        AllConvNet(width_mult=0)


def test_parameter_count_within_one_percent_of_the_paper():
    net = AllConvNet()
    assert net.widths == (64, 64, 80, 128)
    assert net.n_parameters == 188_698
    assert abs(net.n_parameters - PAPER_PARAMETERS) / PAPER_PARAMETERS < 0.01
    # by hand: 3x3 convolutions with biases, 3 -> 64 -> 64 -> 80 -> 128 -> 10
    chans = [3, 64, 64, 80, 128, 10]
    assert net.n_parameters == sum(9 * a * b + b for a, b in zip(chans, chans[1:]))


def test_spatial_sizes_and_no_affine_norm():
    net = AllConvNet(widths=(4, 4, 4, 4))
    x = torch.randn(2, 3, 32, 32)
    sizes = []
    for conv in net.hidden:
        x = conv(x)
        sizes.append(x.shape[-1])
    assert sizes == [16, 8, 4, 2] and net.head(x).shape[-1] == 1
    assert not any("norms" in name for name, _ in net.named_parameters())


def test_width_multiplier_scales_widths():
    assert AllConvNet(width_mult=0.5).widths == (32, 32, 40, 64)


def test_polynomial_activation_horner_matches_powers():
    p = Polynomial([0.1, -0.5, 0.3, 0.2])
    z = torch.linspace(-2, 2, 11, dtype=torch.float64)
    assert torch.allclose(p(z), 0.1 - 0.5 * z + 0.3 * z ** 2 + 0.2 * z ** 3)


def test_eval_mode_uses_stored_statistics():
    net = AllConvNet(widths=(4, 4, 4, 4)).eval()
    x = torch.randn(5, 3, 32, 32)
    a = net(x[:2])
    b = net(x)[:2]  # eval: the batch does not change the statistics
    assert torch.allclose(a, b)


def test_twin_names_and_float64():
    tree = TreeNet(units=2, bias=False, dtype=torch.float64)
    assert tree.names == tuple(tree_names(2, bias=False))
    assert tree(torch.zeros(3, 4, dtype=torch.float64)).dtype == torch.float64
    dense = DenseNet((3, 2, 1))
    assert dense.names == tuple(dense_names((3, 2, 1))) and len(dense.names) == 11


def test_dense_twin_is_affine_composition():
    net = DenseNet((2, 2, 1), activation=[0.0, 1.0], bias=True, dtype=torch.float64)
    w = dict(zip(net.names, net.weights.detach()))
    x = torch.tensor([[0.3, -1.2]], dtype=torch.float64)
    h = [w[f"w1_{i}_1"] * x[0, 0] + w[f"w1_{i}_2"] * x[0, 1] + w[f"b1_{i}"] for i in (1, 2)]
    expected = w["w2_1_1"] * h[0] + w["w2_1_2"] * h[1] + w["b2_1"]
    assert torch.allclose(net(x)[0, 0], expected)


def test_training_never_imports_sympy_phcpy_or_algebra():
    # the one shared module is algebra.files (the atomic write, standard library only)
    import subprocess
    import sys

    code = ("import sys, training.models, training.data, training.optim, training.trajectories, "
            "training.activations; bad = [m for m in ('sympy', 'phcpy', 'flint', 'scipy') if m in sys.modules]; "
            "bad += [m for m in sys.modules if m.startswith('algebra.') and m != 'algebra.files']; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# --- range monitor and clamping -------------------------------------------------------------

def test_range_fraction_equals_a_direct_count_on_a_fixed_batch():
    from training.optim import recompute_bn_stats

    torch.manual_seed(3)
    x = torch.randn(16, 3, 32, 32)
    model = AllConvNet([0.1, 0.5, 0.3], widths=(4, 5, 6, 7), radius=1.3)
    recompute_bn_stats(model, x)
    model.eval()
    with torch.no_grad(), model.range.counting():
        model(x)
    expected, h = [], x
    with torch.no_grad():
        for k in range(4):
            z = model.norms[k](model.hidden[k](h))
            expected.append(int((z.abs() > 1.3).sum()) / z.numel())
            h = model.act(z)
    assert model.range.fractions() == pytest.approx(expected, abs=0)
    with torch.no_grad():
        model(x)  # outside a counting block nothing is counted
    assert model.range.fractions() == pytest.approx(expected, abs=0)


def test_clamp_evaluates_the_polynomial_at_the_clipped_input_and_refuses_relu():
    from training.activations import Polynomial, make_activation

    z = torch.tensor([-5.0, -1.0, 0.5, 3.0])
    p = Polynomial([0.0, 1.0, 1.0], clamp=2.0)
    assert p(z).tolist() == [2.0, 0.0, 0.75, 6.0]
    with pytest.raises(ValueError, match="relu"):
        make_activation("relu", clamp=2.0)
    with pytest.raises(ValueError, match="radius"):
        AllConvNet([0.0, 1.0], clamp=True)
