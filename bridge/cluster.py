"""Where units of work run: in this process (the default), on N local worker processes, or
on a running Dask cluster. This module is the only one that knows Dask.

The library sees a *runner*: a callable ``runner(fn, items) -> list`` that returns
``[fn(x) for x in items]`` in order, wherever the calls ran (``training.experiments``,
``bridge.compare``, ``algebra.continuation.engine`` take one as ``runner=``). The units of
work it is given read their inputs from, and write their results atomically to, the run
folder, and skip a unit whose result is already there; so a worker killed mid-task loses
only that task, which Dask runs again elsewhere, and nothing finished is computed twice.

- ``Runner()``: in-process, one progress bar over the units (terminals only), no scheduler.
- ``cluster(workers=N)``: a ``distributed.LocalCluster`` of N single-threaded processes.
- ``cluster(scheduler="tcp://host:8786")`` (or ``$LANDSCAPE_SCHEDULER``): a running cluster,
  e.g. one started by dask-jobqueue on SLURM or PBS; the workers must have this package
  installed and see the run folder (a shared file system).

GPU work (``gpu=True``) asks each task for the resource ``GPU=1``, so only workers started
with ``--resources GPU=1`` run it; a cluster without any is refused before work starts.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import uuid
from dataclasses import dataclass

from algebra.errors import SpecError

SCHEDULER_ENV = "LANDSCAPE_SCHEDULER"
CONNECT_TIMEOUT = 10.0  # seconds a scheduler has to answer
MAX_WORKERS = 256
MAX_THREADS = 1024
WORKER_ENVIRONMENT = {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1}


class ClusterError(SpecError):
    """A cluster that cannot be used as asked (bad address, no answer, no GPU worker): bad
    input, found before any work, so the --out folder is left as it was."""


class UnitFailed(RuntimeError):
    """A unit of work that the cluster could not finish (it killed every worker that ran it)."""


def _bar(total: int, progress: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="units", unit="unit", leave=False,
                disable=None if progress and total > 1 else True)


def _with_threads(fn, threads: int | None, item):
    """``fn(item)`` with ``threads`` torch, BLAS and path-tracker threads (None: as the process
    has them). A CPU reduction's rounding depends on how it is split among threads, so the
    numbers of a unit follow its thread count, not the process or machine it runs in."""
    if threads is None:
        return fn(item)
    from threadpoolctl import threadpool_limits

    from algebra.continuation.tracker import limit_threads

    with threadpool_limits(limits=threads, user_api="blas"), limit_threads(threads):
        torch = sys.modules.get("torch")
        if torch is None:
            # A unit that uses torch comes from a module that imported it (training, compare);
            # importing it here only for its thread count cost a path-tracking unit 1.6 s.
            return fn(item)
        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            return fn(item)
        finally:
            torch.set_num_threads(before)


@dataclass
class Runner:
    """``runner(fn, items)``: ``[fn(x) for x in items]``, here (``client`` None) or as Dask
    tasks, each with ``threads`` torch/BLAS threads (None: the process's own).

    >>> Runner(progress=False)(abs, [-1, 2, -3])
    [1, 2, 3]
    """
    client: object | None = None
    gpu: bool = False
    progress: bool = True
    threads: int | None = None
    workers: int = 1       # processes that run units at once (reported; the units never depend on it)

    def __call__(self, fn, items) -> list:
        items = list(items)
        unit = functools.partial(_with_threads, fn, self.threads)
        if self.client is None:
            out = []
            with _bar(len(items), self.progress) as bar:
                for x in items:
                    out.append(unit(x))
                    bar.update()
            return out
        return self._distributed(unit, _name(fn), items)

    def _distributed(self, unit, name: str, items: list) -> list:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        # explicit keys: every call is its own task (no result cache keyed on the arguments)
        futures = self.client.map(unit, items, key=[f"{name}-{uuid.uuid4().hex[:12]}" for _ in items],
                                  resources={"GPU": 1} if self.gpu else None)
        try:
            with _bar(len(items), self.progress) as bar:
                for future in as_completed(futures):
                    future.result()  # the first failure ends the wave with the unit's own exception
                    bar.update()
            return [f.result() for f in futures]
        except KilledWorker as exc:
            raise UnitFailed(f"a unit of work ended every worker that ran it ({exc}); its inputs are in the "
                             "run folder: rerun the same command to resume") from None
        finally:
            self.client.cancel([f for f in futures if not f.done()])


def _name(fn) -> str:
    """A unit's name on the dashboard: its function's."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return getattr(fn, "__name__", "unit").strip("_")


def scheduler_address(scheduler: str | None) -> str | None:
    """The address to connect to: the option, else ``$LANDSCAPE_SCHEDULER``, else None."""
    address = scheduler if scheduler is not None else os.environ.get(SCHEDULER_ENV) or None
    if address is None:
        return None
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address if "://" in address else f"tcp://{address}")
        if scheme not in ("tcp", "tls", "ws", "wss", "ucx"):
            raise ValueError(f"unknown protocol {scheme}://")
        if scheme in ("tcp", "tls"):
            host, port = parse_host_port(location)
            if not host or any(c.isspace() for c in location):
                raise ValueError("no host")
            if not 1 <= int(port) <= 65535:
                raise ValueError(f"port {port} is outside 1..65535")
    except (ValueError, TypeError) as exc:
        raise ClusterError(f"--scheduler {address!r} is not a scheduler address (tcp://host:port): {exc}") from None
    return address


def _refused_at_once(address: str) -> None:
    """A tcp address where nothing listens refuses a plain connection at once, while Dask's
    client retries until its timeout: say so without waiting."""
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address if "://" in address else f"tcp://{address}")
    if scheme != "tcp":
        return
    host, port = parse_host_port(location)
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            pass
    except ConnectionRefusedError:
        raise ClusterError(f"--scheduler {address}: nothing listens there (connection refused)") from None
    except OSError:  # unreachable, slow or filtered: Dask's own timeout decides
        pass


def _connect(address: str, timeout: float):
    """A client of the scheduler at ``address``, or one line saying why not. Dask's own
    timeout covers the connection, not its handshake: a service that accepts and stays silent
    held it forever, and one that answers something else made it allocate exabytes (seen on
    this sandbox's network); so the client is made in a thread given the timeout and a margin."""
    import threading

    from distributed import Client

    box: dict = {}

    def connect():
        try:
            box["client"] = Client(address, timeout=f"{timeout}s")
        except Exception as exc:  # reported below, as one line
            box["error"] = exc

    thread = threading.Thread(target=connect, daemon=True, name="landscape-connect")
    thread.start()
    thread.join(timeout + 5)
    if thread.is_alive():
        raise ClusterError(f"--scheduler {address}: something accepted the connection but no Dask scheduler "
                           f"answered within {timeout:g} s")
    exc = box.get("error")
    if isinstance(exc, (OSError, TimeoutError)):
        raise ClusterError(f"--scheduler {address}: no Dask scheduler answered within {timeout:g} s "
                           f"({type(exc).__name__})")
    if exc is not None:
        raise ClusterError(f"--scheduler {address}: the service there does not speak Dask's protocol "
                           f"({type(exc).__name__})")
    return box["client"]


DEFAULT_THREADS = 1  # threads per unit at the defaults, in every mode: the units are small (a chunk of
                     # paths, a micro training run) and N workers x 1 thread never oversubscribe


@contextlib.contextmanager
def cluster(workers: int | None = None, scheduler: str | None = None, *, gpu: bool = False,
            progress: bool = True, threads: int | None = None, timeout: float | None = None):
    """The runner for ``--workers``/``--scheduler``; in-process when neither is given.
    ``threads``: torch/BLAS threads per unit; None: DEFAULT_THREADS, in-process, on local
    workers and on a running cluster alike. A CPU reduction's last bits depend on how many
    threads split it, so a run is bit-identical to one with the same ``threads`` anywhere (on
    the same device), and the defaults give the same numbers in every mode (measured before:
    the process's own threads in-process and cores / N on N workers, and sgd-stages micro
    seed 3 ended at train error 0.246 in-process against 0.263 on --workers 2).
    The dashboard's address goes to stderr when a cluster is used."""
    address = scheduler_address(scheduler)
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    if workers is not None and address is not None:
        raise ClusterError("give --workers (a cluster on this machine) or --scheduler (a running one), not both")
    if workers is not None and not (isinstance(workers, int) and 1 <= workers <= MAX_WORKERS):
        raise ClusterError(f"--workers must be an integer in [1, {MAX_WORKERS}], got {workers!r}")
    if threads is not None and not (isinstance(threads, int) and 1 <= threads <= MAX_THREADS):
        raise ClusterError(f"--threads must be an integer in [1, {MAX_THREADS}], got {threads!r}")
    threads = DEFAULT_THREADS if threads is None else threads
    if workers is None and address is None:
        yield Runner(None, gpu, progress, threads)
        return
    from distributed import Client, LocalCluster

    # the scheduler's and workers' INFO lines would drown the one progress bar
    for name in ("distributed", "bokeh", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)
    local = None
    if address is None:
        import dask

        # Dask's nannies set MALLOC_TRIM_THRESHOLD_, which makes torch training 1.5x slower
        # (every large tensor mapped and unmapped); the thread counts stay at one per worker
        dask.config.set({"distributed.nanny.pre-spawn-environ": dict(WORKER_ENVIRONMENT)})
        local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                             resources={"GPU": 1} if gpu else None, silence_logs=logging.ERROR)
        client = Client(local)
    else:
        _refused_at_once(address)
        client = _connect(address, timeout)
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise ClusterError(f"--scheduler {address}: the scheduler has had no worker for {timeout:g} s") from None
        count = len(client.scheduler_info()["workers"])
        if gpu and local is None and not any(w.get("resources", {}).get("GPU") for w in
                                             client.scheduler_info()["workers"].values()):
            raise ClusterError(f"--scheduler {address}: no worker declares a GPU (start GPU workers with "
                               "`dask worker ADDRESS --resources GPU=1`), and this work runs on a GPU")
        if client.dashboard_link:
            print(f"landscape: Dask dashboard at {client.dashboard_link} ({count} workers)", file=sys.stderr)
        yield Runner(client, gpu, progress, threads, workers=count)
    finally:
        client.close()
        if local is not None:
            local.close()
