"""bridge.cluster: bad addresses refused at once; the same numbers in-process and on a
LocalCluster of 2 workers (an experiment, a comparison, a homotopy); a worker killed
mid-run loses nothing."""
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from bridge import cluster as cluster_module
from bridge.cli import main
from bridge.cluster import DEFAULT_THREADS, ClusterError, Runner, cluster, scheduler_address

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "suite"


# --- refused before any work ----------------------------------------------------------------

@pytest.mark.parametrize("address", ["bad address!", "tcp://host", "tcp://:80", "foo://x:1", "tcp://a b:1",
                                     "tcp://127.0.0.1:99999", "127.0.0.1:0"])
def test_a_malformed_scheduler_address_is_refused_before_connecting(address):
    with pytest.raises(ClusterError, match="not a scheduler address"):
        scheduler_address(address)


def test_workers_and_scheduler_together_are_refused():
    with pytest.raises(ClusterError, match="not both"):
        with cluster(workers=2, scheduler="tcp://127.0.0.1:8786"):
            pass


def test_the_environment_names_the_scheduler(monkeypatch):
    monkeypatch.setenv(cluster_module.SCHEDULER_ENV, "tcp://10.0.0.1:8786")
    assert scheduler_address(None) == "tcp://10.0.0.1:8786"
    assert scheduler_address("tcp://10.0.0.2:1") == "tcp://10.0.0.2:1"
    monkeypatch.setenv(cluster_module.SCHEDULER_ENV, "")
    assert scheduler_address(None) is None


def _listener() -> socket.socket:
    """A socket on a free local port that accepts connections (into its backlog)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def _solve_on(address: str, capsys, tmp_path) -> tuple[int, list[str]]:
    """`solve` of a small file on the scheduler at ``address``: exit status and stderr lines."""
    code = main(["solve", str(SUITE / "katsura5.phc"), "--verify", "none", "--out", str(tmp_path / "run"),
                 "--scheduler", address])
    return code, capsys.readouterr().err.strip().splitlines()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_scheduler_that_does_not_answer_is_one_line_and_exit_2(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT", 2.0)
    silent = _listener()  # listens, never speaks Dask's protocol
    try:
        began = time.monotonic()
        code, err = _solve_on(f"tcp://127.0.0.1:{silent.getsockname()[1]}", capsys, tmp_path)
    finally:
        silent.close()
    assert code == 2 and len(err) == 1 and "no Dask scheduler answered within 2 s" in err[0], err
    assert time.monotonic() - began < 30
    assert not (tmp_path / "run").exists()


def test_a_port_where_nothing_listens_is_refused_at_once(capsys, tmp_path):
    began = time.monotonic()
    code, err = _solve_on(f"tcp://127.0.0.1:{_closed_port()}", capsys, tmp_path)
    assert code == 2 and len(err) == 1 and "nothing listens there (connection refused)" in err[0], err
    assert time.monotonic() - began < 8  # Dask's client would retry for CONNECT_TIMEOUT = 10 s
    assert not (tmp_path / "run").exists()


def test_in_process_runner_keeps_the_order():
    assert Runner(progress=False)(lambda x: x * x, [3, 1, 2]) == [9, 1, 4]


# --- the same numbers on two workers ------------------------------------------------------

@pytest.fixture(scope="module")
def here():
    with cluster(progress=False) as runner:  # the defaults: the same threads per unit as on the workers
        yield runner


HERE = Runner(progress=False, threads=DEFAULT_THREADS)  # what cluster() gives in-process at the defaults


@pytest.fixture(scope="module")
def local():
    with cluster(workers=2, progress=False) as runner:
        yield runner


def test_the_defaults_pin_the_same_threads_in_every_mode(here, local):
    assert here.threads == local.threads == 1


def test_threads_are_pinned_per_unit_and_restored():
    import torch

    before = torch.get_num_threads()
    assert Runner(progress=False, threads=1)(lambda _: torch.get_num_threads(), [0]) == [1]
    assert torch.get_num_threads() == before
    with pytest.raises(ClusterError, match="--threads"):
        with cluster(threads=0):
            pass


def _fail(x):
    raise ValueError(f"unit {x} refuses")


def test_a_unit_failing_on_a_worker_raises_its_own_error(local):
    with pytest.raises(ValueError, match="unit 1 refuses"):
        local(_fail, [1])


STAGES = dict(group=1, epochs=2)  # 2 units per stage


@pytest.fixture(scope="module")
def in_process_stages(tmp_path_factory):
    from training.experiments import make_config, run_experiment

    out = tmp_path_factory.mktemp("stages_here")
    return out, run_experiment("sgd-stages", make_config("sgd-stages", "micro", **STAGES), out, runner=HERE)


def _same_run(a: Path, b: Path, summary_a: dict, summary_b: dict) -> None:
    assert json.dumps(summary_a, sort_keys=True, default=float) == json.dumps(summary_b, sort_keys=True, default=float)
    for s in (1, 2):
        x, y = np.load(a / f"stage_{s:02d}.npz"), np.load(b / f"stage_{s:02d}.npz")
        for key in x.files:
            assert np.array_equal(x[key], y[key]), (s, key)


def test_a_micro_experiment_is_bit_identical_on_two_workers(local, in_process_stages, tmp_path):
    from training.experiments import make_config, run_experiment

    here, expected = in_process_stages
    summary = run_experiment("sgd-stages", make_config("sgd-stages", "micro", **STAGES), tmp_path, runner=local)
    _same_run(here, tmp_path, expected, summary)
    assert not list((tmp_path / "units").iterdir())  # the groups' files were joined into the stages


def test_a_comparison_is_identical_on_two_workers(local, tmp_path):
    from bridge.compare import compare

    kwargs = dict(seeds=2, epochs=2, n_train=60)
    here = compare("tree", ["relu", "poly:0,0.5,0.5"], out=tmp_path / "here", runner=HERE, **kwargs)
    there = compare("tree", ["relu", "poly:0,0.5,0.5"], out=tmp_path / "there", runner=local, **kwargs)
    assert json.loads((tmp_path / "here" / "curves.json").read_text()) == \
        json.loads((tmp_path / "there" / "curves.json").read_text())
    assert here["table"] == there["table"]


def test_a_homotopy_in_chunks_gives_the_same_ends_on_two_workers(local):
    from algebra.continuation.backend import backend
    from algebra.continuation.engine import choose_start, one_run
    from algebra.phcfile import read_phc

    system = read_phc(SUITE / "katsura5.phc")
    st, _ = choose_start(system, "total-degree", 0, 1000)
    here, info_here = one_run(system, st, backend(), 0, 0, unit=8, runner=HERE)  # 4 units of 8 paths
    there, info_there = one_run(system, st, backend(), 0, 0, unit=8, runner=local)
    assert info_here["finite"] == info_there["finite"] == 32
    assert np.array_equal(here.chart, there.chart) and list(here.status) == list(there.status)


def test_solve_with_workers_from_the_command_line(capsys, tmp_path):
    # the defaults: no --threads on either side
    assert main(["solve", str(SUITE / "katsura5.phc"), "--json", "--workers", "2"]) == 0
    on_workers = json.loads(capsys.readouterr().out)
    assert main(["solve", str(SUITE / "katsura5.phc"), "--json"]) == 0
    here = json.loads(capsys.readouterr().out)
    for key in ("paths", "finite", "solutions", "real", "certified"):
        assert on_workers[key] == here[key], key
    assert on_workers["config"]["threads"] == here["config"]["threads"] == 1


def test_a_worker_killed_mid_run_loses_nothing(local, in_process_stages, tmp_path):
    """One worker process is killed (SIGKILL, by its pid) while it trains a unit: Dask runs
    that unit again on the other worker and the results are bit-identical."""
    from training.experiments import make_config, run_experiment

    client = local.client
    pids = client.run(os.getpid)
    killed = []

    def kill_a_busy_worker():
        deadline = time.monotonic() + 120
        while not killed and time.monotonic() < deadline:
            for worker, keys in client.processing().items():
                if any(str(k).startswith("stage_group") for k in keys) and worker in pids:
                    time.sleep(0.3)  # inside the unit, not at its start
                    os.kill(pids[worker], signal.SIGKILL)
                    killed.append(pids[worker])
                    return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    summary = run_experiment("sgd-stages", make_config("sgd-stages", "micro", **STAGES), tmp_path, runner=local)
    killer.join()
    assert killed, "no worker was busy with a unit: nothing was killed"
    here, expected = in_process_stages
    _same_run(here, tmp_path, expected, summary)


def test_a_service_that_is_not_dask_is_one_line(capsys, monkeypatch, tmp_path):
    """Dask read an HTTP reply's first 8 bytes as a frame length and tried to allocate exabytes."""
    import threading

    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT", 2.0)
    server = _listener()

    def answer():
        conn, _ = server.accept()
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 4)
        time.sleep(1)
        conn.close()

    threading.Thread(target=answer, daemon=True).start()
    try:
        code, err = _solve_on(f"tcp://127.0.0.1:{server.getsockname()[1]}", capsys, tmp_path)
    finally:
        server.close()
    assert code == 2 and len(err) == 1 and "--scheduler tcp://127.0.0.1:" in err[0], err
    assert not (tmp_path / "run").exists()
