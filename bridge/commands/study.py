"""`landscape study`: the main job (`make run`)."""
from __future__ import annotations

import os

from bridge.commands.common import SEED, add_cluster_options, emit, pick_device, progress_bar, remote, units_runner


def cmd_study(args) -> None:
    from bridge.provenance import provenance, write_result
    from bridge.study import StudyConfig, run_study, terminal_summary

    device = pick_device(args.device, remote(args))
    cfg = (StudyConfig.quick if args.quick else StudyConfig)(seed=args.seed, device=device)
    with units_runner(args, device) as runner:
        result = run_study(cfg, args.out, progress=lambda items: progress_bar(items, "study"), runner=runner)
        threads = runner.threads
    result.update(provenance({"command": "study", "quick": args.quick, **result["config"], "threads": threads},
                             args.seed))
    write_result(args.out, result)
    report = os.path.join(args.out, "report.md")
    args.out = None  # result.json is written above, with the report
    emit(result, args, terminal_summary(result) + f"\nreport: {report}")


def add_parser(sub) -> None:
    st = sub.add_parser("study", help="the main job: bounds, counts, dimensions, critical points, "
                                      "trained solutions, polynomial vs ReLU; report.md")
    st.add_argument("--out", default="results/study", help="folder for report.md, figures, result.json")
    st.add_argument("--quick", action="store_true", help="smallest sizes (seconds): a smoke test")
    st.add_argument("--seed", type=SEED, default=0)
    st.add_argument("--device", default=None)
    st.add_argument("--json", action="store_true", help="one JSON object on stdout")
    add_cluster_options(st, "count's paths and the comparisons' runs")
    st.set_defaults(func=cmd_study)
