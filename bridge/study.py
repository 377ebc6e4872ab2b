"""The main job (`landscape study`, `make run`): the paper's claims checked end to end.

Sections, each computed, written to result.json and report.md, and drawn:

1. bounds: total degree, multihomogeneous Bezout, mixed volume and the paper's d^(L N) for the
   canonical tree network, for N up to W and for a CIFAR-sized N;
2. count: the zero-loss system at N = 2 cut by W - N random slices, solved by homotopy
   continuation and compared with its bounds;
3. dimension: measured against predicted (W - N) dimension of the zero-loss set for N = 1..W+1,
   with the functional dimension F marked;
4. critical: the critical points of a small deep linear network with L2, classified, each
   evaluated again by torch;
5. trained: zero-loss solutions trained in torch from several seeds, checked by the algebra;
6. proposition: the paper's Proposition 1 on a small deep linear network, N = 1..W: the critical
   set of the unregularized loss split into its zero-loss part and the critical points of
   non-zero loss (``algebra.critical_set``, the eps -> 0 method); and on the canonical tree
   at N = 1, read from a saved ``critical-set`` result (``TREE_PROPOSITION``: an hour of
   monodromy, beyond the study's minutes; ``make tree-critical-set`` computes it again);
7. compare: polynomial against ReLU activations on the embedded data (paper network) and on a
   ReLU-teacher regression (tree network).
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from algebra.bounds import network_bounds
from algebra.networks import DenseNetwork, TreeNetwork
from algebra.systems import make_data, random_slices, zero_loss_system
from bridge.provenance import write_atomic


@dataclass
class StudyConfig:
    seed: int = 0
    bounds_data: tuple = (1, 2, 4, 8, 12, 50_000)          # N for the bounds table (50,000: CIFAR-sized)
    count_data: int = 2                                     # N of the counted square instance
    dimension_starts: int = 6                               # Levenberg-Marquardt starts per N
    critical_widths: tuple = (2, 2, 1)                      # the deep linear network of the critical section
    critical_data: int = 2
    trained_data: int = 4                                   # N for trained zero-loss solutions (<= F = 8)
    trained_seeds: int = 6
    proposition_widths: tuple = (1, 1, 1, 1)                # Proposition 1: a deep linear network, N = 1..W
    compare_activations: tuple = ("relu", "relu-minimax:4", "relu-chebyshev:4", "poly:0,0.5,0.5")
    compare_seeds: int = 3
    compare_epochs: int = 5
    compare_n_train: int | None = None                      # all 1,437 training digits
    compare_width_mult: float = 1.0                         # the paper network at full width
    tree_epochs: int = 30
    radius: float | None = None                             # relu-* interval: DEFAULT_RADIUS
    device: str = "cpu"
    mixed_volume: bool = True

    @classmethod
    def quick(cls, **kw) -> "StudyConfig":
        """Seconds, for tests: every section, smallest sizes."""
        return cls(**{**dict(bounds_data=(1, 12, 50_000), dimension_starts=2, critical_widths=(1, 1, 1),
                             critical_data=1, trained_seeds=2, proposition_widths=(1, 1, 1), compare_activations=("relu", "poly:0,0.5,0.5"),
                             compare_seeds=2, compare_epochs=1, compare_n_train=100, compare_width_mult=0.125,
                             tree_epochs=2, mixed_volume=False), **kw})


def _section_bounds(cfg: StudyConfig) -> dict:
    net = TreeNetwork()
    rows = []
    for n in cfg.bounds_data:
        r = network_bounds(net, n, with_mixed_volume=cfg.mixed_volume and n <= net.n_weights, seed=cfg.seed)
        rows.append({"data": n, **r.as_dict()})
    return {"network": net.describe(), "rows": rows}


def _section_count(cfg: StudyConfig, runner=None) -> dict:
    from algebra.solve import solve, solve_bounds

    net = TreeNetwork()
    data = make_data(net, cfg.count_data, cfg.seed)
    system = random_slices(zero_loss_system(net, data), net.n_weights - data.n_points, cfg.seed)
    result = solve(system, seed=cfg.seed, runner=runner)
    bounds = solve_bounds(system, net, result.start)
    return {"network": net.describe(), "data": cfg.count_data, "slices": net.n_weights - cfg.count_data,
            **result.summary(), "bounds": bounds, "start": result.start["kind"],
            "seconds": round(result.seconds, 2), "verification": result.verification.get("why")}


def _section_dimension(cfg: StudyConfig, out: Path) -> dict:
    from algebra.dimension import dimension_report
    from bridge.plots import dimension_plot

    net = TreeNetwork()
    report = dimension_report(net, list(range(1, net.n_weights + 2)), seed=cfg.seed, starts=cfg.dimension_starts)
    report["plot"] = str(dimension_plot(report, out))
    return report


def _section_critical(cfg: StudyConfig) -> dict:
    from algebra.critical import critical_points
    from algebra.systems import l2_weights
    from bridge.checks import algebra_solutions

    net = DenseNetwork(cfg.critical_widths, "linear", bias=False)
    data = make_data(net, cfg.critical_data, cfg.seed)
    lam = l2_weights(net, "random", cfg.seed)
    result = critical_points(net, data, l2=lam, seed=cfg.seed)
    torch_check = algebra_solutions(net, data, lam, cfg.seed, result=result)
    return {"network": net.describe(), "data": cfg.critical_data, **result.as_dict(),
            "torch_check": {k: v for k, v in torch_check.items() if k != "rows"}}


def _section_trained(cfg: StudyConfig) -> dict:
    from bridge.checks import trained_solutions

    net = TreeNetwork()
    return trained_solutions(net, make_data(net, cfg.trained_data, cfg.seed), range(cfg.trained_seeds),
                             seed=cfg.seed)


def _section_proposition(cfg: StudyConfig, out: Path) -> dict:
    from algebra.critical_set import critical_set
    from bridge.plots import critical_set_plot

    net = DenseNetwork(cfg.proposition_widths, "linear", bias=False)
    rows = []
    for n in range(1, net.n_weights + 1):
        r = critical_set(net, make_data(net, n, cfg.seed), seed=cfg.seed).as_dict()
        rows.append({"data": n, **{k: r[k] for k in ("limits", "critical_values", "zero_loss", "complete",
                                                       "proposition_1", "notes")},
                     "regularized": r["regularized"]["solutions"]})
    return {"network": net.describe(), "method": r["method"], "rows": rows,
            "holds": [row["proposition_1"]["holds"] for row in rows], "plot": str(critical_set_plot(rows, out)),
            "tree": saved_tree_proposition(out=out)}


TREE_PROPOSITION = Path(__file__).resolve().parents[1] / "benchmarks" / "tree_critical_set.json"
TREE_COMMAND = "landscape critical-set --network tree --method monodromy --data 1"
TREE_CONFIG = {"command": "critical-set", "network": "tree", "units": 1, "activation": "poly:0.1,0.5,0.3",
               "bias": True, "shared": False, "depth": 2, "data": 1, "method": "monodromy", "field": "real"}


def saved_tree_proposition(path: Path = TREE_PROPOSITION, out: Path | None = None) -> dict:
    """The saved ``critical-set`` result of the canonical tree at N = 1 (``TREE_COMMAND``), as
    the study reports it, or {"missing": why} where there is none or it is of another
    configuration (never another network's numbers under this one's name)."""
    import json

    if not path.exists():
        return {"missing": f"no saved result at {path}; `make tree-critical-set` computes it"}
    try:
        saved = json.loads(path.read_text())
        config = saved["config"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return {"missing": f"{path} is not a critical-set result ({exc})"}
    differ = [k for k, v in TREE_CONFIG.items() if config.get(k) != v]
    if differ:
        return {"missing": f"{path} holds another configuration ({', '.join(differ)} differ from {TREE_COMMAND})"}
    keep = ("weights", "data", "method", "regularized", "limits", "critical_values", "isolated", "zero_loss",
            "complete", "proposition_1", "notes", "git_commit", "created", "seconds", "seed", "versions")
    row = {k: saved.get(k) for k in keep}
    row["command"] = " ".join(saved.get("command") or [TREE_COMMAND])
    if out is not None:
        from bridge.plots import tree_proposition_plot

        row["plot"] = str(tree_proposition_plot(saved, out))
    return row


def _section_compare(cfg: StudyConfig, out: Path, runner=None) -> dict:
    from bridge.compare import compare
    from bridge.plots import compare_plot

    common = dict(seeds=cfg.compare_seeds, device=cfg.device, radius=cfg.radius, runner=runner)
    dcnn = compare("dcnn", list(cfg.compare_activations), out=out / "compare_dcnn", epochs=cfg.compare_epochs,
                   n_train=cfg.compare_n_train, width_mult=cfg.compare_width_mult, **common)
    tree = compare("tree", list(cfg.compare_activations), out=out / "compare_tree", epochs=cfg.tree_epochs, **common)
    return {"dcnn": dcnn, "tree": tree,
            "plots": [str(compare_plot(dcnn, out, "compare_dcnn.png")), str(compare_plot(tree, out, "compare_tree.png"))]}


SECTIONS = ("bounds", "count", "dimension", "critical", "trained", "proposition", "compare")


def run_study(cfg: StudyConfig, out: str | Path, progress=None, runner=None) -> dict:
    """Every section in order; returns the result (also written as result.json and report.md).
    ``runner(fn, items)`` (bridge.cluster): where the count's paths and the comparisons' runs go."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = {"config": asdict(cfg), "seconds": {}}
    for name in (progress(list(SECTIONS)) if progress else SECTIONS):
        began = time.perf_counter()
        if name == "bounds":
            result[name] = _section_bounds(cfg)
        elif name == "count":
            result[name] = _section_count(cfg, runner)
        elif name == "dimension":
            result[name] = _section_dimension(cfg, out)
        elif name == "critical":
            result[name] = _section_critical(cfg)
        elif name == "trained":
            result[name] = _section_trained(cfg)
        elif name == "proposition":
            result[name] = _section_proposition(cfg, out)
        else:
            result[name] = _section_compare(cfg, out, runner)
        result["seconds"][name] = round(time.perf_counter() - began, 2)
    from bridge.plots import bounds_plot

    result["bounds"]["plot"] = str(bounds_plot({"rows": [r for r in result["bounds"]["rows"] if r["data"] <= 12],
                                                "system": "zero-loss", "network": result["bounds"]["network"]}, out))
    write_atomic(out / "report.md", report_markdown(result))
    return result


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def report_markdown(r: dict) -> str:
    """report.md: every section's numbers and figures, and what they say about the paper's claims."""
    lines = ["# landscape study", "",
             "The claims of Liao & Poggio (Theory of Deep Learning II) checked on the canonical four-input tree "
             "network with s(z) = 0.1 + 0.5 z + 0.3 z^2 and on the paper's all-conv network.", ""]
    b = r["bounds"]
    lines += ["## 1. Bounds of the zero-loss system", "", "| N | squared by | total degree | multihomogeneous | "
              "mixed volume | paper d^(LN) (log10) | torus symmetries |", "|---|---|---|---|---|---|---|"]
    for row in b["rows"]:
        td = _fmt(row["total_degree"]) if row["total_degree"] is not None else f"10^{row['log10_total_degree']:.1f}"
        mh = _fmt(row["multihomogeneous"]) if row["multihomogeneous"] is not None else f"10^{row['log10_multihomogeneous']:.1f}"
        lines.append(f"| {row['data']:,} | {row['squared_by']} | {td} | {mh} | {_fmt(row['mixed_volume'])} | "
                     f"{_fmt(row['log10_paper_bound'])} | {row['torus_symmetries']} |")
    lines += ["", f"![bounds]({Path(b['plot']).name})", ""]
    c = r["count"]
    lines += ["## 2. A counted square instance", "",
              f"Zero-loss system at N = {c['data']} cut by {c['slices']} random slices (the degree of the "
              f"{c['slices']}-dimensional solution set): **{c['solutions']} solutions** ({c['real']} real) from "
              f"{c['paths']} {c['start']} paths; verdict: {c.get('verdict', 'lower-bound')} ({c['verification']}). "
              f"Bounds: total degree {_fmt(c['bounds'].get('total_degree'))}, mixed volume "
              f"{_fmt(c['bounds'].get('mixed_volume'))}, BKK bound (C^n) {_fmt(c['bounds'].get('bkk_bound'))}.", ""]
    d = r["dimension"]
    lines += ["## 3. Dimension of the zero-loss set against W - N", "",
              f"W = {d['weights']}, functional dimension **F = {d['functional_dimension']}** "
              f"({d['functional']['method']}; fibre {d['fibre_dimension']}: {d['symmetries']['total']} symmetry "
              f"directions, {d['unexplained']} unexplained). Exact: W - N where the Jacobian of N random points has "
              "rank N mod p; measured: W - rank J at a zero-loss point, in float64 (? = not confident).", "",
              "| N | regime | W - N | exact | measured |", "|---|---|---|---|---|"]
    for row in d["table"]:
        flag = "?" if row.get("measured_confident") is False else ""
        lines.append(f"| {row['data']} | {row['regime']} | {row['predicted']} | {_fmt(row['exact'])} | "
                     f"{_fmt(row['measured'])}{flag} |")
    broken = [row["data"] for row in d["table"] if row["regime"] == "F < N <= W"]
    lines += ["", f"The paper's W - N holds for N <= F. For N = {', '.join(map(str, broken))} there are at least as many "
              "weights as data points and yet no zero-loss point for generic data." if broken else "", "",
              f"![dimension]({Path(d['plot']).name})", ""]
    k = r["critical"]
    lines += ["## 4. Critical points of a small deep linear network (L2, random lambda)", "",
              f"{k['network']['widths']} linear, N = {k['data']}: {k['complex_nonsingular']} complex nonsingular, "
              f"{k['real']} real: {k['minima']} minima, {k['saddles']} saddles, {k['maxima']} maxima, "
              f"{k['degenerate']} degenerate. Torch agrees: loss to {k['torch_check']['max_loss_difference']:.1e}, "
              f"gradient norm {k['torch_check']['max_gradient_norm']:.1e}, Hessian eigenvalues to "
              f"{k['torch_check']['max_eigenvalue_difference']:.1e}.", ""]
    t = r["trained"]
    lines += ["## 5. Trained zero-loss solutions checked by the algebra", "",
              f"N = {t['data']} points, {t['seeds']} seeds, {t['solutions']} zero-loss solutions (L-BFGS in float64). "
              f"Each has local dimension and Hessian nullity {t['predicted_dimension']} = W - N: "
              f"{t['all_consistent']}"
              + (f" ({t['undecided']} undecided: their float64 rank is not confident)" if t.get("undecided") else "")
              + f". Distances between solutions {_fmt(t['distance_min'])} to "
              f"{_fmt(t['distance_max'])}: degenerate minima, many of them.", "",
              "| seed | residual | local dimension | Hessian nullity |", "|---|---|---|---|"]
    for row in t["rows"]:
        lines.append(f"| {row['seed']} | {row['residual']:.1e} | {_fmt(row.get('local_dimension'))} | "
                     f"{_fmt(row.get('hessian_nullity'))} |")
    p = r["proposition"]
    lines += ["", f"## 6. Proposition 1 on the deep linear network {p['network']['widths']}", "",
              f"Method: {p['method']}.", "",
              "| N | regularized | zero loss | non-zero, regular | non-zero, singular | infinity | failed | "
              "critical values (kinds) | zero-loss set | Proposition 1 |", "|---|---|---|---|---|---|---|---|---|---|"]
    for row in p["rows"]:
        lim, z = row["limits"], row["zero_loss"] or {}
        values = "; ".join(f"{_fmt(v['loss']) if not isinstance(v['loss'], list) else 'complex'} "
                           f"({', '.join(v['kinds']) or 'complex only'})" for v in row["critical_values"])
        zero = ("empty" if z.get("empty") else
                f"dim {_fmt(z.get('dimension'))}, nullity {_fmt(z.get('hessian_nullity'))}, degree {_fmt(z.get('degree'))}")
        verdict = {True: "holds", False: "fails", None: "undecided"}[row["proposition_1"]["holds"]]
        lines.append(f"| {row['data']} | {row['regularized']} | {lim['zero loss']} | {lim['isolated, non-zero loss']} | "
                     f"{lim['singular, non-zero loss']} | {lim['infinity']} | {lim['failed']} | {values} | {zero} | "
                     f"{verdict} |")
    lines += ["", "Kinds are those of the real limits across their critical manifold, modulo the symmetries: a "
              "minimum on a manifold the rescalings sweep out is a non-degenerate minimum of the gauge-fixed loss.",
              "", f"![critical set]({Path(p['plot']).name})", ""]
    lines += _tree_proposition_markdown(p.get("tree") or {"missing": "not computed"})
    cmp = r["compare"]
    lines += ["", "## 7. Polynomial against ReLU", ""]
    for key in ("dcnn", "tree"):
        s = cmp[key]
        width = f", width x{s['width_mult']:g}" if s.get("width_mult") else ""
        lines += [f"### {key} ({s['data']['name']}{width}, {s['epochs']} epochs, {s['seeds']} seeds; metric "
                  f"{s['metric']})", "",
                  "Means and spreads over the runs that ended done; diverged and no-progress runs are counted apart. "
                  "Outside: the largest per-layer fraction of activation inputs outside [-R, R] at the end.", "",
                  "| activation | train | test | done | diverged | no progress | outside | vs " + s["reference"] + " |",
                  "|---|---|---|---|---|---|---|---|"]
        train_key = "train_error" if key == "dcnn" else "train_loss"
        for spec, row in s["table"].items():
            verdict = s["differences"].get(spec)
            note = "reference" if verdict is None else (
                verdict.get("why", "n/a") if verdict["exceeds_spread"] is None else
                ("exceeds the seed spread" if verdict["exceeds_spread"] else "within the seed spread"))
            end = [f for f in (row.get("outside_radius") or {}).get("end") or [] if f is not None]
            outside = f"{100 * max(end):.2g}%" if end else "-"
            lines.append(f"| {row['activation']['spec']} | {_fmt(row[train_key]['mean'])} +- {_fmt(row[train_key]['std'])} | "
                         f"{_fmt(row[s['metric']]['mean'])} +- {_fmt(row[s['metric']]['std'])} | {row['done']} | "
                         f"{row['diverged']} | {row['no_progress']} | {outside} | {note} |")
        lines.append("")
    lines += [f"![compare]({Path(p).name})" for p in cmp["plots"]]
    lines += ["", "Seconds per section: " + ", ".join(f"{k} {v}" for k, v in r["seconds"].items()), ""]
    return "\n".join(lines)


def _tree_proposition_markdown(t: dict) -> list[str]:
    lines = ["### Proposition 1 on the canonical tree (N = 1, saved result)", ""]
    if "missing" in t:
        return lines + [f"Not shown: {t['missing']}.", ""]
    reg, lim, prop, z = t["regularized"], t["limits"], t["proposition_1"], t["zero_loss"] or {}
    minutes = (f"{t['seconds'] / 60:.0f} minutes for its last invocation, which goes on from the stages its "
               "checkpoints hold" if t.get("seconds") else "time not recorded")
    lines += [f"Computed by `{t['command']}` (seed {t['seed']}, commit {str(t['git_commit'])[:10]}, {t['created']}, "
              f"{minutes}); not recomputed by the study. `make tree-critical-set` computes it again.", "",
              f"Regularized critical points (random L2): **{reg.get('solutions')}**, "
              + ("certified: " if reg.get("certified") else "a lower bound: ") + str(reg.get("why")), "",
              "| eps -> 0 limit | paths |", "|---|---|"]
    lines += [f"| {k} | {v:,} |" for k, v in lim.items()]
    lines += ["", "| loss | limits | real | paths | kinds of the real ones |", "|---|---|---|---|---|"]
    for v in t["critical_values"][:25]:
        loss = _fmt(v["loss"]) if not isinstance(v["loss"], list) else f"{complex(*v['loss']):.3g}"
        lines.append(f"| {loss} | {v['limits']} | {v['real']} | {v['paths']} | {', '.join(v['kinds']) or '-'} |")
    if len(t["critical_values"]) > 25:
        lines.append(f"| ... {len(t['critical_values']) - 25} more values in result.json | | | | |")
    zero = ("empty" if z.get("empty") else
            f"dimension {_fmt(z.get('dimension'))} (W - N = {_fmt(z.get('predicted'))}), Hessian nullity "
            f"{_fmt(z.get('hessian_nullity'))}, degree {_fmt(z.get('degree'))}")
    verdict = {True: "holds", False: "FAILS", None: "undecided"}[prop["holds"]]
    lines += ["", f"Zero-loss set: {zero}.", "",
              f"Proposition 1: {prop['nonzero_loss_minima']} local minima of non-zero loss (non-degenerate across "
              "their critical manifold), "
              f"{prop['degenerate_minimum_candidates']} degenerate points that may be minima: **{verdict}** "
              f"({prop['why']}).", ""]
    lines += [f"- {n}" for n in t.get("notes") or []]
    if t.get("plot"):
        lines += ["", f"![canonical tree critical set]({Path(t['plot']).name})"]
    return lines + [""]


def terminal_summary(r: dict) -> str:
    d, t, k, c = r["dimension"], r["trained"], r["critical"], r["count"]
    cmp = r["compare"]["dcnn"]
    ref = _fmt(cmp["table"][cmp["reference"]][cmp["metric"]]["mean"])
    best = min(cmp["table"].items(), key=lambda kv: kv[1][cmp["metric"]]["mean"] if kv[1][cmp["metric"]]["mean"]
               is not None else math.inf)
    apart = sum(row["diverged"] + row["no_progress"] for row in cmp["table"].values())
    return "\n".join([
        f"bounds: N = 12 total degree {r['bounds']['rows'][[row['data'] for row in r['bounds']['rows']].index(12)]['total_degree']:,}"
        if 12 in [row["data"] for row in r["bounds"]["rows"]] else "bounds: done",
        f"count: {c['solutions']} solutions of the sliced N = {c['data']} system ({c.get('verdict', 'lower-bound')})",
        f"dimension: W = {d['weights']}, F = {d['functional_dimension']}; W - N confirmed for N <= F, "
        f"empty for F < N <= W: consistent {d['consistent']}",
        f"critical: {k['complex_nonsingular']} complex, {k['real']} real ({k['minima']} minima, {k['saddles']} saddles); "
        f"torch agrees {k['torch_check']['agree']}",
        f"trained: {t['solutions']}/{t['seeds']} seeds reached zero loss; dimension = nullity = W - N: "
        f"{t['all_consistent']}" + (f" ({t['undecided']} undecided)" if t.get("undecided") else ""),
        f"proposition 1 ({r['proposition']['network']['widths']} linear, N = 1..W): "
        + ", ".join(f"N = {row['data']} {({True: 'holds', False: 'fails', None: 'undecided'})[row['proposition_1']['holds']]}"
                    for row in r["proposition"]["rows"]),
        f"compare (dcnn): {cmp['reference']} test error {ref}; best {best[0]} {_fmt(best[1][cmp['metric']]['mean'])}; "
        f"{apart} runs diverged or made no progress",
    ])
