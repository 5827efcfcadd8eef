"""A small thread pool for running independent blocks of NumPy work.

NumPy releases the GIL inside its loops, so row blocks processed by a few
Python threads run truly in parallel. This module knows nothing of norms or
estimators: :func:`run_tasks` calls ``task(i)`` for every ``i`` in
``range(n_tasks)`` on up to :func:`thread_budget` threads.

Thread-limit policy
-------------------
The number of threads is the smallest of

* the CPUs this process may run on (``os.sched_getaffinity``);
* the thread limit of the BLAS library NumPy uses, as reported by
  ``threadpoolctl``. That limit follows ``OMP_NUM_THREADS`` /
  ``OPENBLAS_NUM_THREADS`` / ``MKL_NUM_THREADS`` (which joblib sets in the
  worker processes of ``GridSearchCV(n_jobs=-1)`` to share the cores among
  them) and ``threadpoolctl.threadpool_limits(...)`` blocks;
* :data:`MAX_THREADS`, if set (a plain module attribute, for tests and
  experiments).

Inside a task the budget is 1: a nested call runs serially in the calling
thread, so nesting never waits on the pool and cannot deadlock. While tasks
run, BLAS is limited to one thread, so the two pools do not oversubscribe.
Tasks run in a copy of the caller's ``contextvars`` context (NumPy's
``errstate`` lives there). The calling thread always takes part and takes
over every task no pool thread has started, so a busy pool only makes the
work slower, never stuck.
"""

import contextvars
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

# Upper bound on the number of threads; None means no bound of our own.
MAX_THREADS = None

_local = threading.local()
_lock = threading.Lock()
_pool = None
_pool_size = 0
_controller = None


def _cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _threadpool_controller():
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


def _blas_limit():
    """Smallest thread limit among the BLAS libraries loaded (None if none)."""
    limits = [
        lib["num_threads"]
        for lib in _threadpool_controller().info()
        if lib["user_api"] == "blas"
    ]
    return min(limits) if limits else None


def thread_budget():
    """How many threads a parallel call may use now (see the module notes)."""
    if getattr(_local, "in_task", False):
        return 1
    budget = _cpu_count()
    blas = _blas_limit()
    if blas is not None:
        budget = min(budget, blas)
    if MAX_THREADS is not None:
        budget = min(budget, MAX_THREADS)
    return max(1, budget)


def _get_pool(n_workers):
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size < n_workers:
            old = _pool
            _pool = ThreadPoolExecutor(
                max_workers=n_workers, thread_name_prefix="sklearn_l2"
            )
            _pool_size = n_workers
            if old is not None:
                old.shutdown(wait=False)
        return _pool


def run_tasks(task, n_tasks, n_threads=None):
    """Call ``task(i)`` for ``i`` in ``range(n_tasks)``, on several threads.

    Tasks are handed out one at a time in order, so uneven tasks balance
    themselves. ``n_threads`` defaults to :func:`thread_budget`. Exceptions
    raised by a task are re-raised here.
    """
    if n_threads is None:
        n_threads = thread_budget()
    n_threads = min(n_threads, n_tasks)
    if n_threads <= 1:
        for i in range(n_tasks):
            task(i)
        return
    counter = itertools.count()  # next() is atomic under the GIL

    def drain():
        nested = getattr(_local, "in_task", False)
        _local.in_task = True
        try:
            for i in counter:
                if i >= n_tasks:
                    return
                task(i)
        finally:
            _local.in_task = nested

    # NumPy < 2 keeps its floating-point error state per thread rather than
    # in the context: the workers are handed the caller's state explicitly.
    errors = np.geterr()

    def drain_in_worker():
        with np.errstate(**errors):
            drain()

    pool = _get_pool(n_threads - 1)
    with _threadpool_controller().limit(limits=1, user_api="blas"):
        # Each worker runs in a copy of the caller's context, so settings such
        # as NumPy's floating-point error state carry over to it.
        futures = [
            pool.submit(contextvars.copy_context().run, drain_in_worker)
            for _ in range(n_threads - 1)
        ]
        try:
            drain()
        finally:
            for future in futures:
                future.cancel()  # not started: nothing left for it to do
            for future in futures:
                if not future.cancelled():
                    future.result()
