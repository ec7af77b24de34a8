"""Tests of tinygrad_edu.bench: both benchmarks run (shrunk with quick=True), check their own
gradients before timing, and report positive, finite figures; the hand-written numpy baselines
compute the math they claim to. No test looks at how fast anything is."""

import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, bench, presets
from tinygrad_edu.data import load_mnist
from tinygrad_edu.reference import nielsen


@pytest.fixture(scope="module")
def ops():
    lines = []
    return bench.bench_ops(quick=True, repeat=2, log=lines.append), lines


@pytest.fixture(scope="module")
def train():
    lines = []
    return bench.bench_train(quick=True, log=lines.append), lines


@pytest.fixture(scope="module")
def mnist():
    X, y = load_mnist(normalize=False).train  # uint8: a float64 copy of all 60,000 is 376 MB
    return X[:64] / 255, y[:64]


def _positive(x):
    return isinstance(x, float) and math.isfinite(x) and x > 0


def test_bench_ops_reports_every_op_and_step(ops):
    result, lines = ops
    assert [r["op"].split()[0] for r in result["ops"]] == ["add", "matmul", "sigmoid"]
    for r in result["ops"]:
        assert all(_positive(r[k]) for k in ("numpy_us", "tinygrad_us", "not_recorded_us",
                                             "ratio"))
        assert math.isclose(r["overhead_us"], r["tinygrad_us"] - r["numpy_us"])
    overheads = sorted(r["overhead_us"] for r in result["ops"])
    assert result["median_overhead_us"] == overheads[1]
    assert result["overhead_met"] == (overheads[1] <= 0.7)
    assert [(r["batch"], r["target"], r["replay_target"]) for r in result["steps"]] == \
        [(1, None, None), (10, 2.5, 1.3), (100, None, None), (64, 1.25, 1.05)]
    for r in result["steps"]:
        assert all(_positive(r[k]) for k in ("tinygrad_us", "forward_us", "numpy_us", "ratio"))
        assert math.isfinite(r["backward_us"])
        assert r["met"] is None or r["met"] == (r["ratio"] <= r["target"])
        assert _positive(r["replay_us"]) and _positive(r["replay_ratio"])
        assert r["replay_met"] is None or r["replay_met"] == (r["replay_ratio"] <=
                                                              r["replay_target"])
        assert r["max_rel_diff"] <= 1e-4  # the self-check before timing passed
    assert result["gradients_match"] is True


def test_bench_ops_prints_the_machine_the_table_and_the_verdicts(ops):
    result, lines = ops
    text = "\n".join(lines)
    assert lines[1].startswith("machine: ") and f"numpy {np.__version__}" in lines[1]
    assert "median overhead" in text and "target ≤ 0.7 µs" in text
    assert text.count("Nielsen 784-30-10") == 3 and "784-128-64-10 ReLU" in text
    assert "eager ≤ 2.50×" in text and "replay ≤ 1.05×" in text
    assert "gradients checked equal before timing" in text


def test_bench_train_times_both_networks_and_nielsens_loop(train):
    result, lines = train
    rows = result["epochs"]
    assert [(r["batch"], r["target"], r["replay_target"]) for r in rows] == \
        [(10, 2.5, 1.3), (64, 1.25, 1.05)]
    for r in rows:
        assert _positive(r["tinygrad_s"]) and _positive(r["numpy_s"]) and _positive(r["ratio"])
        assert r["met"] == (r["ratio"] <= r["target"])
        assert _positive(r["replay_s"]) and r["replay_met"] == (r["replay_ratio"] <= 1.3 if
                                                                 r["batch"] == 10 else
                                                                 r["replay_ratio"] <= 1.05)
        # replay trains the very same network as eager: bitwise the same weights
        assert r["replay_accuracy"] == r["tinygrad_accuracy"]
        # the same math from the same start on the same batches: the same network comes out
        assert r["tinygrad_accuracy"] > 0.25 and r["numpy_accuracy"] > 0.25
        assert abs(r["tinygrad_accuracy"] - r["numpy_accuracy"]) < 0.02
    loop = result["network_py"]
    assert loop["examples_timed"] == 200 and loop["epoch_examples"] == 2000
    assert math.isclose(loop["epoch_seconds"], loop["seconds"] * 10)
    assert _positive(loop["speedup_tinygrad"]) and _positive(loop["speedup_numpy"])
    assert _positive(loop["speedup_replay"])
    assert loop["accuracy"] > 0.1
    text = "\n".join(lines)
    assert "extrapolated" in text and "network.py" in text and "replayed" in text


@pytest.mark.parametrize("call, words", [
    (lambda log: bench.bench_train(epochs=0, log=log),
     "bench_train: epochs must be a whole number ≥ 1, got 0"),
    (lambda log: bench.bench_ops(repeat=-1, log=log),
     "bench_ops: repeat must be a whole number ≥ 1, got -1"),
    (lambda log: bench.bench_ops(blas_threads=0, log=log),
     "blas_threads must be a whole number ≥ 1 or None"),
])
def test_bad_counts_are_refused_before_anything_runs(call, words):
    lines = []
    with pytest.raises(ValueError, match=words):
        call(lines.append)
    assert lines == []  # not a header, nor a loaded dataset, before the error


@pytest.mark.parametrize("ratio, met, text", [
    (1.2531, False, "eager ≤ 1.25×: MISSED (1.253×)"),  # the table shows 1.25×: say why
    (1.2468, True, "eager ≤ 1.25×: met (1.247×)"),
    (1.31, False, "eager ≤ 1.25×: MISSED"),
])
def test_a_verdict_beside_a_ratio_rounded_to_its_target_gives_three_decimals(ratio, met, text):
    assert bench._targets_text({"ratio": ratio, "target": 1.25, "met": met}) == text


def test_machine_names_cpu_cores_and_blas():
    m = bench.machine()
    assert m["cpu"] and m["cores"] >= 1 and m["numpy"] == np.__version__
    assert m["blas_threads"] is None or m["blas_threads"] >= 1


def test_a_wrong_baseline_is_refused_before_anything_is_timed(mnist):
    X, y = mnist
    x, Y = X[:10].T.astype(np.float32), np.eye(10, dtype=np.float32)[y[:10]].T

    def missing_sigma_prime(p, x, y):  # δ3 = (a3 − y)/m: the σ'(z3) factor forgotten
        g = bench.nielsen_numpy_grads(p, x, y)
        a2 = bench._sigmoid_in_place(p["W2"] @ x + p["b2"])
        a3 = bench._sigmoid_in_place(p["W3"] @ a2 + p["b3"])
        g["W3"] = (a3 - y) / x.shape[1] @ a2.T
        return g

    with pytest.raises(RuntimeError, match="Nielsen.*differ from the hand-written numpy"):
        bench._check_same_gradients("Nielsen", bench.nielsen_cost, missing_sigma_prime,
                                    bench._init("nielsen"), x, Y)


def test_the_timed_networks_are_the_presets_forward(mnist):
    X, y = mnist
    x, Y = X[:8], np.eye(10)[y[:8]]
    P = {k: Tensor(v) for k, v in bench._init("nielsen").items()}
    expected = presets.get("nielsen").forward(P, x.T, Y.T).item()
    assert bench.nielsen_cost(P, x.T, Y.T).item() == pytest.approx(expected, rel=1e-12)
    mlp = presets.get("scratch").with_overrides(sizes=(784, 128, 64, 10), init="he")
    P = {k: Tensor(v) for k, v in bench._init("mlp").items()}
    assert bench.mlp_cost(P, x, y[:8]).item() == pytest.approx(mlp.forward(P, x, Y).item(),
                                                               rel=1e-12)


def test_the_nielsen_baseline_is_the_books_backprop(mnist):
    X, y = mnist
    params = {k: v.astype(np.float64) for k, v in bench._init("nielsen").items()}
    x, Y = X[:7].T, np.eye(10)[y[:7]].T
    ours, book = bench.nielsen_numpy_grads(params, x, Y), nielsen.backprop(params, x, Y)
    for k in params:
        np.testing.assert_allclose(ours[k], book[k], rtol=1e-10, atol=1e-14)


def test_the_mlp_baseline_agrees_with_the_engine_in_float64(mnist):
    X, y = mnist
    params = {k: v.astype(np.float64) for k, v in bench._init("mlp").items()}
    P = {k: Tensor(v, requires_grad=True) for k, v in params.items()}
    bench.mlp_cost(P, X[:32], y[:32]).backward()
    ours = bench.mlp_numpy_grads(params, X[:32], y[:32])
    for k in params:
        np.testing.assert_allclose(ours[k], P[k].grad.data, rtol=1e-10, atol=1e-14)


def test_the_baselines_keep_float32():
    x, y = np.zeros((784, 3), np.float32), np.eye(10, 3, dtype=np.float32)
    grads = bench.nielsen_numpy_grads(bench._init("nielsen"), x, y)
    grads.update(bench.mlp_numpy_grads(bench._init("mlp"), x.T.copy(), np.array([1, 2, 3])))
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}


def test_network_py_loop_takes_the_same_step_as_the_vectorized_one(mnist):
    X, y = mnist
    params = {k: v.astype(np.float64) for k, v in bench._init("nielsen").items()}
    examples = [(X[i].reshape(784, 1), np.eye(10)[y[i]].reshape(10, 1)) for i in range(10)]
    looped = bench._to_end(bench._epoch_network_py(params, examples, eta=3.0))
    batch = (X[:10].T, np.eye(10)[y[:10]].T)
    vectorized = bench._to_end(bench._epoch_numpy(bench.nielsen_numpy_grads, params, [batch],
                                                  3.0))
    for k in params:
        np.testing.assert_allclose(looped[k], vectorized[k], rtol=1e-10, atol=1e-12)


def test_limit_blas_threads_sets_and_restores_openblas():
    before = bench.machine()["blas_threads"]
    with bench.limit_blas_threads(1):
        inside = bench.machine()["blas_threads"]
    assert bench.machine()["blas_threads"] == before
    if bench._openblas()[0] is not None:
        assert inside == 1
    with bench.limit_blas_threads(None):
        assert bench.machine()["blas_threads"] == before


def test_the_pytorch_column_is_measured_when_torch_is_installed(train):
    pytest.importorskip("torch")
    result, lines = train
    for r in result["epochs"]:
        assert _positive(r["torch_s"]) and _positive(r["torch_ratio"])
    assert "not installed" not in "\n".join(lines)


def test_without_pytorch_the_column_says_skipped(monkeypatch):
    monkeypatch.setattr(bench, "_torch", lambda: None)
    lines = []
    result = bench.bench_train(quick=True, eager=True, log=lines.append)
    assert all(r["torch_s"] is None and r["replay_s"] is None for r in result["epochs"])
    text = "\n".join(lines)
    assert "PyTorch: not installed, skipped" in text and "replay: not timed (--eager)" in text


def test_interleave_runs_the_epochs_in_turn_a_block_of_batches_at_a_time():
    order = []

    def epoch(name, batches):
        for k in range(batches):
            order.append((name, k))
            yield
        return name * 2

    runs = {"a": lambda: epoch("a", 5), "b": lambda: epoch("b", 3)}
    times, results = bench._interleave(runs, 2, block=2)
    assert results == {"a": "aa", "b": "bb"}
    assert [len(t) for t in times.values()] == [2, 2]
    first, second = order[:8], order[8:]  # the second round starts with b: the order reversed
    assert [n for n, _ in first] == list("aabbaaba")
    assert [n for n, _ in second] == list("bbaabaaa")
