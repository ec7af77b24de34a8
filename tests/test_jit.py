"""Tests of tinygrad_edu.jit: a captured and replayed step computes exactly what the eager step
computes (bit for bit, on real MNIST batches, for every preset), recaptures for a new shape, reads
parameters by reference, writes readable numpy, and refuses what it cannot replay."""

import functools
import io
import types

import numpy as np
import pytest

from tinygrad_edu import Tensor, detect_anomaly, grad, presets, train, where
from tinygrad_edu import functional as F
from tinygrad_edu.data import load_digits32, load_mnist
from tinygrad_edu.explain import explain
from tinygrad_edu.jit import Jit, jit
from tinygrad_edu.optim import SGD, Adam


@pytest.fixture(scope="module")
def mnist():
    X, y = load_mnist(normalize=False).train
    return X[:1000].astype(np.float32) / 255, y[:1000]


def _batches(preset, mnist, count, size=None):
    """count real batches in the preset's layout, then a shorter last one (a new shape)."""
    if preset.dataset == "digits32":
        X, y = load_digits32(split="train", dtype="float32")
    else:
        X, y = mnist
    b = size or preset.batch_size
    Y = y if preset.loss == "cross_entropy" else np.eye(10, dtype=np.float32)[y]
    cuts = [(i * b, (i + 1) * b) for i in range(count)] + [(count * b, count * b + max(1, b // 2))]
    return [preset.arrange(X[i:j], Y[i:j]) for i, j in cuts]


def _params(preset):
    return preset.tensors(preset.init_params(0, np.float32))


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_replayed_gradients_equal_eager_ones_bit_for_bit(name, mnist):
    preset = presets.get(name)
    eager, replayed = _params(preset), _params(preset)
    step = jit(lambda x, y: preset.forward(replayed, x, y), check=0)  # no eager cross-check
    for x, y in _batches(preset, mnist, 4, size=min(max(preset.batch_size, 4), 32)):
        C = preset.forward(eager, x, y)
        C.backward()
        loss = step(x, y)
        assert loss.item() == C.item()
        for k, p in eager.items():
            assert np.array_equal(replayed[k].grad.numpy(), p.grad.numpy()), k
            assert replayed[k].grad.dtype == p.grad.dtype
            p.grad = replayed[k].grad = None
    assert len(step.programs) == 2  # the shorter last batch was captured again


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_training_with_replay_gives_the_eager_network_bit_for_bit(name):
    limit = {"digits32": 23, "nielsen": 65, "3b1b": 65}.get(name, 610)  # a partial last batch
    runs = [train.train(name, epochs=2, train_limit=limit, test_limit=100, progress=False,
                        log=lambda line: None, eager=eager) for eager in (True, False)]
    assert runs[0].loss == runs[1].loss
    for k, v in runs[0].params.items():
        assert np.array_equal(v, runs[1].params[k]), k


def test_the_source_reads_like_the_books_backprop(mnist):
    preset = presets.get("nielsen")
    P = _params(preset)
    step = jit(lambda x, y: preset.forward(P, x, y))
    step(*_batches(preset, mnist, 1)[0])
    lines = [line.strip() for line in step.source.splitlines()]
    assert lines[0] == "def step(x, y):"
    for line in ["W2 = P_W2._data  # read by reference",
                 "z2 = np.add(t1, b2, out=t1)  # t1 + b2, in t1's array: nothing reads t1 again",
                 "a2 = 0.5 * (1 + np.tanh(0.5 * z2))", "dz2 = da2 * a2 * (1 - a2)",
                 "db2 = dz2.sum(axis=1, keepdims=True)", "dW2 = dz2 @ x.T",
                 "da2 = W3.T @ dz3",
                 # the cost's seed, ½ and Σ need no batch: known at capture, shown as comments
                 "# dC = 1  (the seed; gradients with no batch in them are worked out once, "
                 "at capture)", "# dt5 = dC * 0.05 = 0.05",
                 "# dt4 = dt5 copied over (10, 10) = 0.05 in every entry",
                 "dt3 = t3 * 0.1  # 2 · t3 · dt4"]:
        assert line in lines
    # the printed source is the program: exec it and it computes the same gradients
    x, y = _batches(preset, mnist, 2)[1]
    namespace = dict(step.program.namespace)
    exec(step.source, namespace)
    C, grads = namespace["step"](x, y)
    for p in P.values():
        p.grad = None
    assert step(x, y).item() == C
    assert all(np.array_equal(P[k].grad.numpy(), g) for k, g in zip(["W2", "b2", "W3", "b3"],
                                                                     grads))


def test_sgd_update_is_written_inline_and_matches_the_optimizer(mnist):
    preset = presets.get("nielsen")
    P = _params(preset)
    opt = SGD(list(P.values()), lr=3.0)
    step = jit(lambda x, y: preset.forward(P, x, y), optimizer=opt)
    step(*_batches(preset, mnist, 1)[0])
    source = step.program.update_source
    lines = [line.strip() for line in source.splitlines()]
    # a weight gradient the step owns is scaled where it lies; a bias one into a kept buffer
    assert lines.index("dW2 *= G0['lr']") + 1 == lines.index("W2 -= dW2")
    assert lines.index("np.multiply(db2, G0['lr'], out=D_b2)") + 1 == lines.index("b2 -= D_b2")
    assert all(p.grad is None for p in P.values())  # the step ends with zero_grad()


def test_weight_gradients_reuse_one_buffer_only_where_the_step_uses_them_up(mnist):
    preset = presets.get("nielsen")
    P, Q = _params(preset), _params(preset)
    opt, eager_opt = SGD(list(P.values()), lr=3.0), SGD(list(Q.values()), lr=3.0)
    step = jit(lambda x, y: preset.forward(P, x, y), optimizer=opt, check=0)
    for x, y in _batches(preset, mnist, 5)[:5]:  # the same buffer, overwritten 4 times
        step(x, y)
        preset.forward(Q, x, y).backward()
        eager_opt.step()
        eager_opt.zero_grad()
    for k in P:
        assert np.array_equal(P[k].numpy(), Q[k].numpy()), k
    update = [line.strip() for line in step.program.update_source.splitlines()]
    assert "dW2 = np.matmul(dz2, x.T, out=O_W2)  # the same array every step" in update
    assert "dW2 = dz2 @ x.T" in step.program.source  # step() hands its gradients out: fresh arrays


def test_parameters_are_read_by_reference(mnist):
    preset = presets.get("nielsen")
    P, Q = _params(preset), _params(preset)
    step = jit(lambda x, y: preset.forward(P, x, y), check=0)
    batch = _batches(preset, mnist, 1)[0]
    step(*batch)
    for T in (P, Q):
        T["W2"].data = T["W2"].data * 0.5  # a new array, assigned: replay must see it
        T["b3"].data -= 1.0  # changed in place
        for p in T.values():
            p.grad = None
    step(*batch)
    preset.forward(Q, *batch).backward()
    for k in P:
        assert np.array_equal(P[k].grad.numpy(), Q[k].grad.numpy()), k


def test_reading_a_value_during_capture_is_refused():
    W = Tensor([1.0, -2.0], requires_grad=True)

    def branchy(x):
        loss = (W * x).sum()
        if loss > 0:  # Python control flow on a tensor value
            loss = loss * 2
        return loss

    with pytest.raises(RuntimeError, match=r"jit: bool\(tensor\) \(an if or while on a tensor\) "
                                           r"reads a tensor's value .*cannot be replayed"):
        jit(branchy)(np.ones(2))
    with pytest.raises(RuntimeError, match=r"jit: bool\(tensor\).*cannot be replayed"):
        jit(lambda x: (W * x).sum() * (2.0 if (W * x).sum() else 1.0))(np.ones(2))
    with pytest.raises(RuntimeError, match=r"jit: item\(\) reads a tensor's value"):
        jit(lambda x: (W * x).sum() * (W * x).sum().item())(np.ones(2))
    acc = []  # a learner's accuracy, read from .data in the step: a replay would not run it
    with pytest.raises(RuntimeError, match=r"jit: \.data of a tensor computed in the step reads"):
        jit(lambda x: (acc.append((W * x).data.argmax()), (W * x).sum())[1])(np.ones(2))


def test_a_constant_computed_from_the_batch_is_caught_by_the_check(mnist):
    preset = presets.get("scratch")
    P = _params(preset)
    X, y = mnist
    Y = np.eye(10, dtype=np.float32)[y]
    # argmax on the one-hot targets happens in numpy, outside the tape: a frozen constant
    step = jit(lambda x, t: preset.forward(P, x, t))
    step(X[:16], Y[:16])
    with pytest.raises(RuntimeError, match=r"labels of softmax_cross_entropy .* changed between "
                                           r"batches.*pass it to the step as an argument"):
        step(X[16:32], Y[16:32])
    labels = jit(lambda x, t: preset.forward(P, x, t))  # the labels themselves: replayable
    for i in range(4):
        labels(X[16 * i:16 * i + 16], y[16 * i:16 * i + 16])


def test_replay_differing_from_eager_says_what_differed():
    W = Tensor(np.ones(3), requires_grad=True, name="W")
    noise = np.random.default_rng(0)
    step = jit(lambda x: (W * x * Tensor(noise.standard_normal(3))).sum())
    step(np.ones(3))
    with pytest.raises(RuntimeError, match="changed between batches"):
        step(np.ones(3))


def test_a_shape_called_once_is_captured_but_never_compiled(mnist):
    preset = presets.get("nielsen")
    P = _params(preset)
    step = jit(lambda x, y: preset.forward(P, x, y), optimizer=SGD(list(P.values()), lr=0.1))
    first, second, *_, last = _batches(preset, mnist, 4)
    step(*first)  # captured: its source is written, and shown, but not compiled yet
    assert "def step_and_update(x, y):" in step.source and not step.program.compiled
    step(*second)  # a checked call runs it, and compares it with an eager run
    assert step.program.compiled
    step(*last)  # the shorter last batch: an eager step and its source, nothing compiled
    assert not step.program.compiled
    assert [p.compiled for progs in step.programs.values() for p in progs] == [True, False]


def test_the_captured_program_can_be_explained_and_drawn(mnist):
    preset = presets.get("nielsen")
    P = _params(preset)
    step = jit(lambda x, y: preset.forward(P, x, y))
    batch = _batches(preset, mnist, 1)[0]
    step(*batch)
    text = step.program.explain(file=io.StringIO())
    assert "∂C/∂W2" in text and "∂C/∂z2" in text
    # written during the capture's own backward pass: the same lines as explain() of the loss
    assert text == explain(preset.forward(_params(preset), *batch), file=io.StringIO())
    graph = step.program.draw()
    assert "W2" in graph.source


def test_fallback_vjps_replay_exactly():
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True, name="W")
    b = Tensor(np.zeros((1, 3), np.float32), requires_grad=True, name="b")

    def cost(x, labels):
        z = (x @ W + b).maximum(0.1)
        z = z.clip(-1.0, 1.0) + z.abs().sqrt() * z.tanh()
        logp = z.log_softmax(axis=1)
        return F.nll_loss(logp, labels) + F.binary_cross_entropy_with_logits(
            z[:, :1], np.ones((len(labels), 1), np.float32)) + (z.max(axis=1) ** 3).mean()

    step = jit(cost, check=3)
    for _ in range(5):
        x = rng.standard_normal((6, 4)).astype(np.float32)
        labels = rng.integers(0, 3, 6)
        C = cost(x, labels)
        C.backward()
        eager = {"W": W.grad.numpy().copy(), "b": b.grad.numpy().copy()}
        W.grad = b.grad = None
        assert step(x, labels).item() == C.item()
        assert np.array_equal(W.grad.numpy(), eager["W"])
        assert np.array_equal(b.grad.numpy(), eager["b"])
        W.grad = b.grad = None


def test_bad_steps_get_clear_errors():
    W = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="jit: the step must return a scalar loss Tensor"):
        jit(lambda x: W * x)(np.ones(2))
    with pytest.raises(ValueError, match="got float"):
        jit(lambda x: 1.0)(np.ones(2))
    with pytest.raises(TypeError, match="jit: expected a function"):
        Jit(3)


def test_under_detect_anomaly_steps_run_eagerly():
    W = Tensor([1.0, 2.0], requires_grad=True)
    step = jit(lambda x: (W * x).sum())
    with detect_anomaly():
        step(np.ones(2))
    assert not step.programs and W.grad.numpy().tolist() == [1.0, 1.0]


def test_jit_as_a_decorator_with_an_optimizer():
    W = Tensor([1.0, 2.0], requires_grad=True)
    opt = SGD([W], lr=0.5)

    @jit(optimizer=opt)
    def step(x):
        return (W * x).sum()

    for _ in range(4):
        step(np.ones(2))
    assert W.numpy().tolist() == [-1.0, 0.0] and W.grad is None


def test_each_parameter_gets_a_gradient_array_of_its_own():
    W = Tensor(np.ones(3), requires_grad=True)
    V = Tensor(np.ones(3), requires_grad=True)
    step = jit(lambda x: (W + V + x).sum(), check=0)
    for _ in range(2):
        W.grad = V.grad = None
        step(np.zeros(3))
        assert not np.shares_memory(W.grad.numpy(), V.grad.numpy())
        W.grad.numpy()[0] = 5.0  # a learner's in-place edit of one does not reach the other
        assert V.grad.numpy().tolist() == [1.0, 1.0, 1.0]


EXPONENT = Tensor(np.full(3, 2.0), requires_grad=True)


@pytest.mark.parametrize("cost", [
    lambda W, x: (W * x * 0.5).sum(),  # Σ over a product with a number: a full copy needed
    lambda W, x: ((W * x) ** 2).sum(),
    lambda W, x: (W * x).sigmoid().sum() * 3.0,
    lambda W, x: ((W * x) ** EXPONENT).sum(),
    # gradients with no batch in them are known at capture; they meet the batch's in any order
    lambda W, x: (W * 3.0).sum() + (W * x).sum(),
    lambda W, x: (W * x).sum() + (W * 3.0).sum(),
    lambda W, x: -((W - x) ** 2).sum() / 4.0,
    lambda W, x: (W.reshape(3, 1) * x).sum(axis=0).sum() * 0.25,
    lambda W, x: (W * 2.0).sum(),  # ∂C/∂W needs no batch at all: its own array each step
    lambda W, x: (W.astype(np.float32) * x).sum(),  # a known float64 one meets float32
])
def test_the_sum_of_a_cost_reaches_its_producer_in_any_form(cost):
    W = Tensor(np.array([0.5, 1.5, 2.0]), requires_grad=True)
    step = jit(lambda x: cost(W, x), check=2)
    for i in range(4):
        x = np.arange(3.0) + i
        C = cost(W, x)
        C.backward()
        eager, W.grad = W.grad.numpy(), None
        assert step(x).item() == C.item() and np.array_equal(W.grad.numpy(), eager)
        W.grad = None


def test_known_gradients_reach_every_kind_of_step():
    # a constant gradient through a permuted transpose, into a pow the VJP is called for, and
    # into a 0-d parameter: each replayed bit for bit
    W = Tensor(np.arange(6.0).reshape(2, 3) / 7, requires_grad=True)
    e = Tensor(np.array(3.0), requires_grad=True)
    c = Tensor(np.array(0.5), requires_grad=True)

    def cost(x):
        return ((W.transpose((1, 0)) * 2.0).sum() + ((W * x) ** e).sum() * 0.5 + c * 4.0
                + (W * x).max())

    step = jit(cost, check=2)
    for i in range(4):
        x = np.arange(6.0).reshape(2, 3) + i
        C = cost(x)
        C.backward()
        eager = [p.grad.numpy() for p in (W, e, c)]
        W.grad = e.grad = c.grad = None
        assert step(x).item() == C.item()
        for p, g in zip((W, e, c), eager):
            assert np.array_equal(p.grad.numpy(), g) and p.grad.numpy().shape == p.shape
            p.grad = None


def test_the_lean_replay_path_steps_aside_for_new_shapes_tensors_and_anomaly_checks():
    W, V = (Tensor(np.array([[0.5, -1.0], [2.0, 0.25]]), requires_grad=True) for _ in range(2))
    opt, eager_opt = SGD([W], lr=0.1), SGD([V], lr=0.1)
    step = jit(lambda x: ((x @ W).sigmoid() ** 2).sum(), optimizer=opt, check=0)
    rng = np.random.default_rng(0)
    for call in range(7):
        x = rng.standard_normal((3 if call != 4 else 5, 2))  # call 4: a new shape, captured
        arg = Tensor(x) if call == 5 else x  # call 5: a Tensor argument
        if call == 6:
            with detect_anomaly():  # call 6: eager, every op checked
                C = step(arg)
        else:
            C = step(arg)
        E = ((x @ V).sigmoid() ** 2).sum()
        E.backward()
        eager_opt.step()
        eager_opt.zero_grad()
        assert C.item() == E.item() and np.array_equal(W.numpy(), V.numpy()), call
    assert len(step.programs) == 2 and W.grad is None


def _replays_as_eager(cost, params, batches):
    """Each batch through a jit step (no cross-check) and eagerly: the same loss and gradients."""
    step = jit(cost, check=0)
    for x in batches:
        C = cost(x)
        C.backward()
        eager = [p.grad.numpy().copy() for p in params]
        for p in params:
            p.grad = None
        assert step(x).item() == C.item()
        for p, g in zip(params, eager):
            assert np.array_equal(p.grad.numpy(), g) and p.grad.dtype == g.dtype
            p.grad = None
    return step


@pytest.mark.parametrize("cost", [
    lambda W, x: (x @ W).relu().mean(),  # a known ½·1/m meets relu's bool mask: float32 kept
    lambda W, x: ((x @ W) ** 3).sum() * 0.3,  # 0.3 · 3 in float32, as eager, not in Python
    lambda W, x: ((x @ W) ** np.float64(3.0)).sum(),  # a float64 exponent on float32 values
    lambda W, x: ((x @ W) ** 2).sqrt().sum() * 0.5,  # sqrt's g · 0.5 / out
])
def test_known_gradients_keep_float32_arithmetic(cost):
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((100, 50)).astype(np.float32), requires_grad=True)
    batches = [rng.standard_normal((64, 100)).astype(np.float32) for _ in range(3)]
    _replays_as_eager(lambda x: cost(W, x), [W], batches)


def test_a_tensor_added_to_itself_gets_both_gradients():
    W = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)

    def cost(x):
        h = W * x
        return (h + h).sum()

    _replays_as_eager(cost, [W], [np.ones(3), np.arange(3.0)])


def test_editing_a_grad_in_place_never_reaches_the_program():
    W, V = (Tensor(np.array([0.5, 1.5, 2.0]), requires_grad=True) for _ in range(2))
    for cost in (lambda x: (W * 2.0).sum() + (V * x).sum(),  # ∂C/∂W known at capture
                 lambda x: (W + V).sum() + (V * x).sum()):  # handed on from a known dout
        step = jit(cost, check=0)
        grads = []
        for _ in range(3):
            step(np.array([1.0, 2.0, 3.0]))
            grads.append((W.grad.numpy().copy(), V.grad.numpy().copy()))
            W.grad.data *= 0.5  # a learner's in-place clipping of this step's gradient
            V.grad.data *= 0.5
            W.grad = V.grad = None
        assert all(np.array_equal(a, b) for g in grads[1:] for a, b in zip(g, grads[0]))


def test_higher_derivatives_of_a_square_are_unchanged():
    d1 = grad(lambda x: (x ** 2).sum())
    d2 = grad(lambda x: d1(x).sum())
    d3 = grad(lambda x: d2(x).sum())
    assert d3(Tensor([1.0, 2.0])).numpy().tolist() == [0.0, 0.0]


def test_a_parameter_given_another_dtype_or_shape_is_captured_again():
    rng = np.random.default_rng(0)
    W, V = (Tensor(np.full((3, 2), 0.5, np.float32), requires_grad=True) for _ in range(2))
    opt, eager_opt = SGD([W], lr=0.1), SGD([V], lr=0.1)
    step = jit(lambda x: ((x @ W).sigmoid() ** 2).sum(), optimizer=opt, check=0)
    for call in range(8):
        if call == 3:  # float32 weights replaced by float64 ones: the source was float32's
            W.data, V.data = W.data.astype(np.float64), V.data.astype(np.float64)
        if call == 6:  # a new layer width
            W.data, V.data = np.full((3, 4), 0.25), np.full((3, 4), 0.25)
        x = rng.standard_normal((5, 3))
        C = step(x)
        E = ((x @ V).sigmoid() ** 2).sum()
        E.backward()
        eager_opt.step()
        eager_opt.zero_grad()
        assert C.item() == E.item() and W.dtype == V.dtype, call
        assert np.array_equal(W.numpy(), V.numpy()), call
    assert step.program.leaves[0][1:] == ((3, 4), np.float64)


def test_calling_backward_on_a_steps_loss_says_the_step_already_did():
    W = Tensor(np.ones((3, 2)), requires_grad=True)
    step = jit(lambda x: ((x @ W) ** 2).mean())
    for _ in range(4):  # captured, checked, replayed: each loss says the same
        loss = step(np.ones((4, 3)))
        with pytest.raises(RuntimeError, match=r"returned by a jit step, which has already run "
                                               r"the backward pass.*\.grad"):
            loss.backward()  # as a PyTorch user would
        assert W.grad is not None
        W.grad = None


def test_a_parameter_made_inside_the_step_is_caught():
    W = Tensor(np.ones(3), requires_grad=True)
    step = jit(lambda x: (W * x * Tensor(np.ones(3), requires_grad=True)).sum())
    step(np.ones(3))
    with pytest.raises(RuntimeError, match="a different parameter than at capture.*create "
                                           "parameters outside the step"):
        step(np.ones(3))


def test_debug_checks_every_call():
    W = Tensor(np.ones(3), requires_grad=True)
    calls = []

    def cost(x):
        calls.append(1)  # the Python function runs only when a call is captured or checked
        return (W * x).sum()

    step = jit(cost, check=0, debug=True)
    for _ in range(4):
        step(np.ones(3))
    assert len(calls) == 4
    quiet = jit(cost, check=1)
    for _ in range(4):
        quiet(np.ones(3))
    assert len(calls) == 4 + 2  # captured, checked once, then replayed without running it


# ----- what a replay could not do, refused or captured again (a learner's habits) ----------------

def _train_both(make_step_loss, steps=6, freeze_at=None, change=None):
    """Train two copies of a small network, eagerly and with jit, calling change(params, k) before
    step k; return both parameter dicts."""
    rng = np.random.default_rng(0)
    init = {"W": rng.standard_normal((4, 3)), "b": np.zeros(3)}
    batches = [(rng.standard_normal((5, 4)), rng.integers(0, 3, 5)) for _ in range(steps)]
    runs = []
    for use_jit in (False, True):
        P = {k: Tensor(v.copy(), requires_grad=True, name=k) for k, v in init.items()}
        extra = {"scale": Tensor(np.ones(3), name="scale")}
        opt = SGD(list(P.values()), lr=0.5)
        cost = functools.partial(make_step_loss, P, extra)
        step = jit(cost, optimizer=opt) if use_jit else None
        for k, (x, y) in enumerate(batches):
            if change is not None:
                change(P, extra, k)
            if step is not None:
                step(x, y)
            else:
                opt.zero_grad()
                cost(x, y).backward()
                opt.step()
        runs.append(P)
    return runs


def _ce(P, extra, x, y):
    return F.cross_entropy((Tensor(x) @ P["W"] + P["b"]) * extra["scale"], y)


def test_a_parameter_frozen_after_capture_stays_frozen_in_the_replay():
    def freeze(P, extra, k):
        if k == 4:  # after the checked calls: the lean path is running
            P["W"].requires_grad = False
    eager, replayed = _train_both(_ce, change=freeze)
    for k in eager:
        assert np.array_equal(eager[k].data, replayed[k].data), k


def test_a_constant_tensor_assigned_after_capture_is_captured_again():
    def rescale(P, extra, k):
        if k == 4:
            extra["scale"].data = np.full(3, 0.25)
    eager, replayed = _train_both(_ce, change=rescale)
    for k in eager:
        assert np.array_equal(eager[k].data, replayed[k].data), k


def test_an_operation_on_the_batch_alone_is_replayed_for_every_batch():
    p = Tensor(np.full((6, 1), 0.3), requires_grad=True, name="p")
    targets = [np.array([[1.0], [0], [1], [0], [0], [1]]),
               np.array([[0.0], [1], [1], [1], [0], [0]])]
    step = jit(lambda t: F.binary_cross_entropy(p.sigmoid(), t))  # (1 − t): no gradient, recorded
    for t in targets * 2:
        step(t)
        want = grad(lambda q, t=t: F.binary_cross_entropy(q.sigmoid(), Tensor(t)))(Tensor(p.data))
        assert np.array_equal(p.grad.numpy(), want.numpy())
        p.grad = None
    assert "1 - t" in step.source


@pytest.mark.parametrize("body, message", [
    (lambda W, x: (W.__setattr__("data", W.data * 0.9), (W * x).sum())[1],
     r"W\.data is assigned inside the step.*optimizer"),
    (lambda W, x: ((W * x).sum().backward(), (W * x).sum())[1],
     r"backward\(\) is called inside the step.*Return the loss"),
    (lambda W, x: (setattr(W, "grad", Tensor(x)), SGD([W], lr=0.1).step(), (W * x).sum())[2],
     r"W\.data is assigned inside the step.*optimizer"),  # Tensor._subtract, under a capture
    (lambda W, x: (W * x).retain_grad().sum(), r"retain_grad\(\) of mul\(W, …\).*stay None"),
])
def test_what_a_replay_would_skip_or_freeze_is_refused_at_capture(body, message):
    W = Tensor(np.ones(3), requires_grad=True, name="W")
    with pytest.raises(RuntimeError, match="jit: " + message):
        jit(lambda x: body(W, x))(np.arange(3.0))
    assert W._version == 0  # nothing was updated


def test_a_step_called_inside_no_grad_or_inside_another_capture_is_refused():
    W = Tensor(np.ones(3), requires_grad=True)
    inner = jit(lambda x: (W * x).sum(), optimizer=SGD([W], lr=0.1))
    for _ in range(4):  # past its checked calls: the lean path
        inner(np.ones(3))
    from tinygrad_edu import no_grad
    with no_grad(), pytest.raises(RuntimeError, match=r"inside no_grad\(\)"):
        inner(np.ones(3))
    outer = jit(lambda x: (inner(x), (W * x).sum())[1])
    with pytest.raises(RuntimeError, match="called while another is being captured"):
        outer(np.ones(3))


@pytest.mark.parametrize("batch", [(np.ones(3), np.ones(3)), [np.ones(3)], {"x": np.ones(3)}])
def test_a_batch_packed_in_a_container_is_refused(batch):
    W = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match=r"argument 0 is a (tuple|list|dict) of arrays; pass each"):
        jit(lambda b: W.sum())(batch)


def test_the_captured_explanation_survives_the_optimizers_updates():
    W = Tensor(np.ones((2, 1)), requires_grad=True, name="W")
    step = jit(lambda x: (x @ W).sigmoid().sum(), optimizer=SGD([W], lr=0.1))
    for _ in range(4):
        step(np.ones((3, 2)))
    text = step.program.explain(file=io.StringIO())  # W was updated in place three times
    assert "σ'(t1)" in text and text.splitlines()[-1].split()[:4] == ["∂C/∂W", "=", "c1ᵀ", "·"]


def test_tensors_named_like_the_programs_own_names_keep_their_values():
    W = Tensor(np.ones((3, 2)), requires_grad=True, name="W")
    consts = [Tensor(np.full(2, v), name=n) for v, n in ((2.0, "P_W"), (3.0, "D_W"),
                                                          (0.5, "O_W"), (1.5, "G0"),
                                                          (1.25, "KEPT"), (0.75, "lean_checks_L0"))]
    V = Tensor(np.ones((3, 2)), requires_grad=True, name="W")  # the same net, eagerly

    def cost(P, x):
        out = x @ P
        for c in consts:
            out = out * c
        return out.sum()

    step = jit(lambda x: cost(W, x), optimizer=SGD([W], lr=0.1))
    opt = SGD([V], lr=0.1)
    for i in range(4):
        step(np.ones((4, 3)) * i)
        opt.zero_grad()
        cost(V, np.ones((4, 3)) * i).backward()
        opt.step()
    assert np.array_equal(W.numpy(), V.numpy())
    assert "* _P_W" in step.source and "P_W._changed" in step.source


def test_a_batch_passed_by_keyword_is_the_same_step():
    W = Tensor(np.ones(3), requires_grad=True, name="W")
    step = jit(lambda x, y: ((W * x - y) ** 2).sum())
    a = step(np.ones(3), np.zeros(3)).item()
    b = step(y=np.zeros(3), x=np.ones(3)).item()
    assert a == b and len(step.programs) == 1
    with pytest.raises(TypeError, match=r"jit: the step's arguments do not fit its function: "
                                        r".*z"):
        step(np.ones(3), np.zeros(3), z=np.ones(3))


def _eager_and_jit(cost, calls, between=None, **jit_kwargs):
    """(parameters after the calls eagerly, after them through jit) from the same start;
    between(k), if given, runs before call k of each run (to change a constant)."""
    out = []
    for use_jit in (False, True):
        W = Tensor(np.linspace(-1, 1, 12).reshape(4, 3), requires_grad=True, name="W")
        opt = SGD([W], lr=0.1)
        step = jit(functools.partial(cost, W), optimizer=opt, **jit_kwargs) if use_jit else None
        for k, args in enumerate(calls):
            if between is not None:
                between(k)
            if step is not None:
                step(*args)
            else:
                opt.zero_grad()
                cost(W, *args).backward()
                opt.step()
        out.append(W.numpy())
    return out


def test_the_same_array_for_two_arguments_is_a_signature_of_its_own():
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    autoencoder = lambda W, a, b: ((Tensor(a) @ W - Tensor(b)[:, :3]) ** 2).sum()  # noqa: E731
    calls = [(x, x)] * 3 + [(x, np.hstack([t, t[:, :1]]))] * 3  # x then its own target
    eager, replayed = _eager_and_jit(autoencoder, calls)
    assert np.array_equal(eager, replayed)


def test_a_step_that_writes_into_its_batch_is_refused_and_can_finish_eagerly():
    W = Tensor(np.ones((4, 3)), requires_grad=True, name="W")

    def centred(x):
        x -= x.mean(axis=1, keepdims=True)  # numpy in place: a replay would not do it
        return (Tensor(x) @ W).sum()

    step = jit(centred, optimizer=SGD([W], lr=0.1))
    with pytest.raises(RuntimeError, match="jit: the step writes into its argument x") as e:
        step(np.arange(8.0).reshape(2, 4))
    assert W._version == 0  # nothing updated yet; finish_eagerly makes the eager step's update
    e.value.finish_eagerly()
    assert W._version == 1 and not np.array_equal(W.numpy(), np.ones((4, 3)))


@pytest.mark.parametrize("cost", [
    lambda W, x, m, l: (where(m, Tensor(x) @ W, 0.0)).sum(),  # a mask given as an argument
    lambda W, x, m, l: ((Tensor(x) @ W) * Tensor(np.eye(3))[l]).sum(),  # rows picked by labels
    lambda W, x, m, l: (Tensor(x).detach() @ W).sum(),  # the batch needs no detaching
])
def test_operations_on_the_arguments_alone_are_replayed_for_each_batch(cost):
    rng = np.random.default_rng(2)
    calls = [(rng.standard_normal((6, 4)), rng.random((6, 3)) > 0.5, rng.integers(0, 3, 6))
             for _ in range(6)]
    eager, replayed = _eager_and_jit(cost, calls)
    assert np.array_equal(eager, replayed)


def test_integer_labels_made_inside_the_step_are_refused():
    W = Tensor(np.ones((4, 3)), requires_grad=True)
    step = jit(lambda x, y: F.cross_entropy(Tensor(x) @ W, Tensor(y).astype(np.int32)))
    with pytest.raises(RuntimeError, match=r"jit: cross_entropy's labels astype\(…\) \(shape "
                                           r"\(2,\)\), computed inside the step, .*pass them as an "
                                           r"argument"):
        step(np.ones((2, 4)), np.array([0.0, 2.0]))
    step = jit(lambda x, y: F.cross_entropy(Tensor(x) @ W, Tensor(y, dtype=np.int64)))
    with pytest.raises(RuntimeError, match=r"jit: cross_entropy's labels astype\(…\) \(shape"):
        step(np.ones((2, 4)), np.array([0.0, 2.0]))


@pytest.mark.parametrize("cost", [
    lambda W, x: ((Tensor(x) @ W) * ((Tensor(x) @ W) > 0).astype(np.int32)).sum(),
    lambda W, x: ((Tensor(x) @ W) ** 2).mean() * ((Tensor(x) @ W) > 0).mean(),  # float64 mean
    lambda W, x: ((Tensor(x) @ W) * (Tensor(np.float32(0.5)) * 3)).sum(),  # 0-d constants only
    lambda W, x: ((Tensor(x) @ W) * ((Tensor(x) @ W) > 0)).sum(),  # relu by hand: z * (z > 0)
    lambda W, x: where(((Tensor(x) @ W) - 0.5).abs() < 1, (Tensor(x) @ W) ** 2,
                       (Tensor(x) @ W).abs()).sum(),  # a Huber-like loss: the branch by batch
    lambda W, x: ((Tensor(x) @ W) * (Tensor(x) @ W).detach()).sum(),
    lambda W, x: ((Tensor(x) @ W) * Tensor(Tensor(x) @ W)).sum(),  # Tensor(h): a detach too
    lambda W, x: ((Tensor(x) @ W) * (Tensor(0.5) < x)[:, :3]).sum(),  # the batch array itself
    lambda W, x: ((Tensor(x) @ W) * ((Tensor(x) @ W) >= Tensor(np.float32(0.25)))).sum(),
    lambda W, x: ((Tensor(x) @ W) * (Tensor(x, dtype=np.float32) @ W)).sum(),
])
def test_masks_and_constants_computed_inside_the_step_are_replayed(cost):
    rng = np.random.default_rng(9)
    calls = [(rng.standard_normal((5, 4)),) for _ in range(8)]
    eager, replayed = _eager_and_jit(cost, calls)
    assert np.array_equal(eager, replayed)


def test_indexing_with_a_mask_computed_inside_the_step_is_refused():
    W = Tensor(np.ones((4, 3)), requires_grad=True, name="W")
    step = jit(lambda x: ((Tensor(x) @ W)[(Tensor(x) @ W) > 1]).sum())
    with pytest.raises(RuntimeError, match=r"jit: indexing with … > … \(shape \(2, 3\)\), computed "
                                           r"inside the step, cannot be replayed.*h \* \(h > 0\)"):
        step(np.arange(8.0).reshape(2, 4))


def test_a_constant_computed_from_a_tensor_made_outside_the_step_follows_it():
    """The replay computes scale * 3 again (not once, at capture), so an in-place change of
    lam, which keeps its array, is seen too; a new array (scale.data = ...) captures again."""
    lam = Tensor([0.1])

    def between(k):
        if k == 0:
            lam.data = np.array([0.1])
        elif k == 5:  # after the checked calls
            lam.data *= 0.5  # in place: the same array

    eager, replayed = _eager_and_jit(
        lambda W, x: (Tensor(x) @ W).sum() + (0.5 * lam * (W * W).sum()).sum(),  # 0.5 * lam
        [(np.full((2, 4), 1.0 + k),) for k in range(8)], between)
    assert np.array_equal(eager, replayed)
    scale = Tensor(2.0)
    calls = [(np.full(3, 1.0 + k),) for k in range(8)]
    runs = []
    for use_jit in (False, True):
        W = Tensor(np.ones(3), requires_grad=True)
        cost = lambda x, W=W: (W * x * (scale * 3)).sum()  # noqa: E731
        step = jit(cost) if use_jit else None
        scale.data = np.array(2.0)
        for k, (x,) in enumerate(calls):
            if k == 5:  # past the checked calls: only the replay's guard can see it
                scale.data = np.array(5.0)
            W.grad = None
            if step is not None:
                step(x)
            else:
                cost(x).backward()
            runs.append(W.grad.numpy())
    assert all(np.array_equal(a, b) for a, b in zip(runs[:8], runs[8:]))
    assert np.array_equal(runs[-1], np.full(3, 8.0 * 15))


def test_a_train_fallback_after_a_refusal_at_capture_trains_the_eager_network():
    def run(eager):
        rng = np.random.default_rng(3)

        def forward(p, x):  # a relu mask from numpy (refused at capture) and a dropout mask
            h = p["W2"] @ x + p["b2"]
            h = h * (h.numpy() > 0) * (rng.random(h.shape) > 0.2)
            return p["W3"] @ h + p["b3"]

        rng2 = np.random.default_rng(0)
        params = {"W2": Tensor(rng2.standard_normal((30, 784)) / 28, requires_grad=True),
                  "b2": Tensor(np.zeros((30, 1)), requires_grad=True),
                  "W3": Tensor(rng2.standard_normal((10, 30)) / 5.5, requires_grad=True),
                  "b3": Tensor(np.zeros((10, 1)), requires_grad=True)}
        train.train(forward, params=params, cost="quadratic", layout="columns", lr=0.5,
                    epochs=1, train_limit=60, test_limit=10, progress=False, eager=eager,
                    log=lambda line: None)
        return [p.numpy() for p in params.values()]

    for a, b in zip(run(False), run(True)):
        assert np.array_equal(a, b)


def test_parameters_frozen_in_turn_keep_one_program_each():
    rng = np.random.default_rng(4)
    A = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    B = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    step = jit(lambda x: ((Tensor(x) @ A @ B) ** 2).sum())
    captures = []
    capture = step._capture
    step._capture = lambda *a: (captures.append(1), capture(*a))[1]
    for k in range(40):  # a GAN's two phases: one network trains while the other is frozen
        A.requires_grad, B.requires_grad = k % 2 == 0, k % 2 == 1
        step(rng.standard_normal((5, 4)))
        A.grad = B.grad = None
    assert len(captures) == 2 and [len(v) for v in step.programs.values()] == [2]


def test_a_number_argument_that_changes_every_call_keeps_a_bounded_number_of_programs():
    W = Tensor(np.ones(3), requires_grad=True)
    step = jit(lambda x, lam: ((W * x).sum() ** 2) * lam)
    for k in range(30):
        step(np.ones(3), 0.1 * k + 0.05)
    assert len(step.programs) <= 8


def test_a_constant_named_like_an_operation_keeps_its_value():
    c = Tensor(np.full((2, 3), 0.5), name="max")  # a learner's name that is also an op's
    eager, replayed = _eager_and_jit(lambda W, x: ((Tensor(x) @ W).max(axis=0) * c).sum(),
                                     [(np.arange(8.0).reshape(2, 4) * k,) for k in range(1, 5)])
    assert np.array_equal(eager, replayed)


def _scaled(W, scale, x):
    return ((Tensor(x) @ W) * scale).sum()


def test_a_number_constant_changed_in_place_is_captured_again():
    scale = Tensor(0.5)  # made outside the step: written into the source as 0.5

    def between(k):
        if k == 0:
            scale.data = np.array(0.5)
        elif k == 5:  # after the checked calls
            scale.data[...] = 2.0  # in place: the same array, no .data assignment

    eager, replayed = _eager_and_jit(lambda W, x: _scaled(W, scale, x),
                                     [(np.full((2, 4), k / 4),) for k in range(8)], between)
    assert np.array_equal(eager, replayed)


def test_a_mask_of_any_dtype_given_as_an_argument_is_replayed():
    rng = np.random.default_rng(5)
    for dtype in (bool, np.float64, np.int64):
        calls = [(rng.standard_normal((6, 4)), (rng.random((6, 3)) > 0.5).astype(dtype))
                 for _ in range(5)]
        eager, replayed = _eager_and_jit(
            lambda W, x, m: where(m, Tensor(x) @ W, 0.0).sum(), calls, check=0)
        assert np.array_equal(eager, replayed), dtype


def test_one_array_for_two_arguments_on_a_checked_call_is_captured_on_its_own():
    W = Tensor(np.ones((4, 3)), requires_grad=True)
    step = jit(lambda x, t: ((Tensor(x) @ W - Tensor(t)[:, :3]) ** 2).sum())
    x = np.arange(8.0).reshape(2, 4)
    step(x, x + 1)
    step(x, x)  # the first checked call: a signature of its own, not a "changed constant"
    assert len(step.programs) == 2


def test_finish_eagerly_makes_its_update_once_and_keeps_retained_gradients():
    W = Tensor(np.ones((4, 3)), requires_grad=True)
    box = {}

    def f(x):
        z = Tensor(x) @ W
        box["z"] = z.retain_grad()  # refused, after the step has run on
        return z.sum()

    step = jit(f, optimizer=SGD([W], lr=0.1))
    with pytest.raises(RuntimeError, match=r"retain_grad\(\)") as e:
        step(np.ones((2, 4)))
    e.value.finish_eagerly()
    assert W._version == 1 and box["z"].grad is not None
    with pytest.raises(RuntimeError, match=r"finish_eagerly\(\) already made"):
        e.value.finish_eagerly()
    assert W._version == 1


def test_a_parameter_written_in_place_during_the_checked_calls_is_refused():
    W = Tensor(np.full((4, 3), 2.0), requires_grad=True, name="W")

    def clipped(x):
        np.clip(W.data, -1, 1, out=W.data)  # weight clipping inside the step
        return (Tensor(x) @ W).sum()

    with pytest.raises(RuntimeError, match="jit: the step writes into the parameter W"):
        jit(clipped, optimizer=SGD([W], lr=0.1))(np.ones((2, 4)))


def test_a_refusal_in_one_thread_is_not_lost_to_another_threads_capture():
    import threading
    W = Tensor(np.ones((4, 3)), requires_grad=True)
    step = jit(lambda x: (Tensor(x) @ W).sum() * float((Tensor(x) @ W).numpy().max() > 0))
    accepted = []

    def run(rows):
        for k in range(30):
            try:
                step(np.ones((rows + k % 3, 4)))
                accepted.append(rows)
            except RuntimeError:
                pass

    threads = [threading.Thread(target=run, args=(r,)) for r in (2, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert accepted == [] and not step.programs


def test_a_mask_tensor_made_outside_the_step_and_reassigned_is_captured_again():
    M = Tensor(np.array([True, False, True]))
    runs = []
    for use_jit in (False, True):
        M.data = np.array([True, False, True])
        W = Tensor(np.ones(3), requires_grad=True)
        opt = SGD([W], lr=0.1)
        cost = functools.partial(_masked, W, M)
        step = jit(cost, optimizer=opt) if use_jit else None
        for k in range(7):
            if k == 5:  # after the checked calls
                M.data = np.zeros(3, dtype=bool)
            if step is not None:
                step(np.full(3, k + 1.0))
            else:
                opt.zero_grad()
                cost(np.full(3, k + 1.0)).backward()
                opt.step()
        runs.append(W.numpy())
    assert np.array_equal(*runs)


def _masked(W, M, x):
    return where(M, W * x, 0.0).sum()


def test_a_signed_zero_constant_keeps_its_sign_in_the_source_and_its_guard():
    for first, later in ((-0.0, -0.0), (0.0, -0.0)):
        c = Tensor(first)
        W = Tensor(np.ones(2), requires_grad=True)
        step = jit(lambda x, c=c, W=W: (W * (1 / (x * c)).sigmoid()).sum())
        losses = []
        with np.errstate(divide="ignore", invalid="ignore"):  # 1 / ±0 is ±inf, as intended
            for k in range(6):
                if k == 4:
                    c.data[...] = later
                losses.append(step(np.ones(2)).item())
                W.grad = None
        want = [0.0 if np.signbit(first) else 2.0] * 4 + [0.0 if np.signbit(later) else 2.0] * 2
        assert losses == want, (first, later, losses)


def test_where_takes_masks_of_any_kind_eagerly():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    for mask in ([True, False, True], np.array([1.0, 0.0, 2.0]), np.array([1, 0, 1]),
                 np.array([True, False, True], dtype=object), Tensor(np.array([1, 0, 1]))):
        out = where(mask, x, -x)
        assert out.numpy().tolist() == [1.0, -2.0, 3.0]
        out.sum().backward()
        assert x.grad.numpy().tolist() == [1.0, -1.0, 1.0]
        x.grad = None


def test_a_value_kept_outside_the_loss_is_refused_and_one_inside_it_is_not():
    W = Tensor(np.ones((4, 3)), requires_grad=True, name="W")
    stats = {"correct": 0}

    def counting(x):  # a learner's running metric, kept in a dict between steps
        z = Tensor(x) @ W
        stats["correct"] += (z > 1).sum()
        return (z * z).sum()

    with pytest.raises(RuntimeError, match=r"jit: the step computes add\(…, …\) \(shape \(\)\) "
                                           r"from the batch or the parameters and keeps it "
                                           r"outside the loss"):
        jit(counting)(np.ones((2, 4)))
    kept = {}

    def storing(W, x):  # activations kept on the side, as a learner's network does: in the loss
        kept["z"] = Tensor(x) @ W
        kept["a"] = kept["z"].sigmoid()
        return kept["a"].sum()

    rng = np.random.default_rng(2)
    calls = [(rng.standard_normal((2, 4)),) for _ in range(5)]
    eager, replayed = _eager_and_jit(storing, calls)
    assert np.array_equal(eager, replayed)

    class Net:
        pass

    net = Net()
    with pytest.raises(RuntimeError, match=r"computes tensor \(shape \(2, 4\)\) from the batch"):
        jit(lambda x: (setattr(net, "last_x", Tensor(x)), (Tensor(x) @ W).sum())[1])(
            np.ones((2, 4)))

    def cyclic(W, x):  # a recursive helper: its cells are a cycle, which keeps the mask alive
        h = Tensor(x)

        def deep(k):
            nonlocal h
            if k:
                h = h @ W if k == 2 else h.tanh()
                deep(k - 1)

        deep(2)
        loss = h.sum()
        h = h > 0  # held by nothing but the cycle: gone once it is collected
        return loss

    eager, replayed = _eager_and_jit(cyclic, calls)
    assert np.array_equal(eager, replayed)


def test_an_index_computed_from_a_constant_inside_the_step_is_refused():
    off = Tensor(np.array([0, 1]))  # made outside the step: h[:, off + 1] would not follow it
    W = Tensor(np.ones((4, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"jit: indexing with add\(…, …\) \(shape \(2,\)\), "
                                           r"computed inside the step, cannot be replayed"):
        jit(lambda x: (Tensor(x) @ W)[:, off + 1].sum())(np.ones((2, 4)))


@pytest.mark.parametrize("optimizer", [SGD, Adam])  # its update in the source, or its own
@pytest.mark.parametrize("change", ["shape", "dtype", "Tensor", "frozen", "constant in place",
                                    "constant assigned"])
def test_each_check_of_the_lean_path_sends_a_changed_call_to_the_slow_path(change, optimizer):
    def make():
        W = Tensor(np.linspace(-1, 1, 12).reshape(4, 3), requires_grad=True, name="W")
        V = Tensor(np.linspace(0.5, -0.5, 3).reshape(3, 1), requires_grad=True, name="V")
        scale = Tensor(np.array(0.5))  # made outside the step: a literal of its source
        return W, V, scale, optimizer([W, V], lr=0.1), lambda x: (((Tensor(x) @ W).tanh() @ V)
                                                                  * scale).sum()

    jitted, eager = make(), make()
    step = jit(jitted[4], optimizer=jitted[3])
    rng = np.random.default_rng(0)

    def both(x):
        step(x)
        eager[3].zero_grad()
        eager[4](x).backward()
        eager[3].step()

    for _ in range(4):
        both(rng.standard_normal((2, 4)))
    lean = step.program
    assert lean.fast and (lean._guarded is not None) == (optimizer is SGD)  # replayed from here
    for _, V, scale, *_rest in (jitted, eager):
        if change == "frozen":
            V.requires_grad = False
        elif change == "constant in place":
            scale.numpy()[...] = 0.25
        elif change == "constant assigned":
            scale.data = np.array(0.25)
    x = rng.standard_normal((5, 4) if change == "shape" else (2, 4))
    x = x.astype(np.float32) if change == "dtype" else Tensor(x) if change == "Tensor" else x
    for _ in range(3):
        both(x)
    for a, b in zip(jitted[:2], eager[:2]):
        assert np.array_equal(a.numpy(), b.numpy())
    # a new signature, a frozen parameter or a changed constant is captured again; a Tensor
    # batch is replayed by the slow path, which takes the array out of it
    assert (step.program is lean) == (change == "Tensor")


def test_threads_sharing_a_step_replay_one_at_a_time():
    import threading
    import time
    W = Tensor(np.ones((4, 3)), requires_grad=True)
    step = jit(lambda x: (Tensor(x) @ W).sum(), optimizer=SGD([W], lr=0.1))
    for _ in range(3):  # the capture and the checked calls: the next call is a replay
        step(np.ones((2, 4)))
    prog = step.program
    assert prog._guarded is not None and prog.fast
    update, inside, called, active, most = prog._guarded, threading.Event(), threading.Event(), \
        [0], [0]

    def slow_update(*args):  # the first replay lingers until the second call has begun
        active[0] += 1
        most[0] = max(most[0], active[0])
        if not inside.is_set():
            inside.set()
            called.wait(5)
            time.sleep(0.2)  # without the lock, the second replay would come in meanwhile
        try:
            return update(*args)
        finally:
            active[0] -= 1

    prog._guarded = slow_update  # the lean path's one call
    first = threading.Thread(target=step, args=(np.ones((2, 4)),))
    first.start()
    inside.wait(5)
    second = threading.Thread(target=lambda: (called.set(), step(np.ones((2, 4)))))
    second.start()
    first.join()
    second.join()
    assert most[0] == 1  # one replay at a time
    want = np.ones((4, 3))
    for _ in range(5):  # five whole steps of 2 · 0.1, none lost or doubled
        want -= 2 * 0.1
    assert np.array_equal(W.numpy(), want)


def test_another_threads_eager_run_waits_for_a_replay_to_write_back_what_the_caller_keeps():
    """An eager run of any step asks each program that follows kept tensors to look again. From
    another thread it must wait for a replay in progress: coming between the replay and its
    write-back, it left the caller's net.h at the batch before, silently."""
    import threading
    import time
    rng = np.random.default_rng(11)
    net = types.SimpleNamespace(h=None)
    W = Tensor(rng.standard_normal((4, 3)), requires_grad=True)

    def forward(x):
        net.h = (Tensor(x) @ W).sigmoid()
        return (net.h ** 2).sum()

    step = jit(forward, optimizer=SGD([W], lr=0.1))
    for _ in range(3):  # the capture and the checked calls: the next call replays
        step(rng.standard_normal((2, 4)))
    prog = step.program
    assert prog.kept and prog.fast  # ... and writes its h into net.h
    V = Tensor(np.ones(3), requires_grad=True)
    other = jit(lambda v: (Tensor(v) * V).sum(), optimizer=SGD([V], lr=0.1))  # another network
    update, inside = prog._update, threading.Event()

    def slow_update(*args):
        inside.set()
        time.sleep(0.3)  # without the lock, the other step's eager run comes in meanwhile
        return update(*args)

    prog._update = slow_update
    x = rng.standard_normal((2, 4))
    want = (Tensor(x) @ Tensor(W.numpy().copy())).sigmoid().numpy()  # before the update
    replay = threading.Thread(target=step, args=(x,))
    replay.start()
    inside.wait(5)
    other(np.ones(3))  # its capture: an eager run
    replay.join()
    assert np.array_equal(net.h.numpy(), want)


@pytest.mark.parametrize("use", ["index", "labels"])
def test_an_index_or_labels_tensor_made_outside_the_step_is_followed(use):
    """Its array is a setting of the operation, not an input: jit watches the tensor, so that
    off.data = ... captures again, as for any constant the step reads."""
    chosen = Tensor(np.array([0, 2]))

    def between(k):
        if k == 0:
            chosen.data = np.array([0, 2])
        elif k == 5:  # after the checked calls
            chosen.data = np.array([1, 1])

    cost = ((lambda W, x: ((Tensor(x) @ W)[:, chosen] ** 2).sum()) if use == "index" else
            (lambda W, x: F.cross_entropy(Tensor(x) @ W, chosen)))
    eager, replayed = _eager_and_jit(cost, [(np.full((2, 4), 0.1 * k),) for k in range(8)],
                                     between)
    assert np.array_equal(eager, replayed)


def test_an_index_that_changes_is_refused_with_the_constants_message():
    W = Tensor(np.ones((4, 3)), requires_grad=True)
    picks = [np.array([0, 1]), np.array([2, 0])]
    calls = iter(range(3))
    step = jit(lambda x: (Tensor(x) @ W)[0:2, picks[min(next(calls), 1)]].sum())
    step(np.ones((2, 4)))
    with pytest.raises(RuntimeError, match=r"jit: the step recorded a different tape .*index of "
                                           r"getitem \(operation 2\) is a constant that changed "
                                           r"between batches \(\(slice\(0, 2, None\), array"):
        step(np.ones((2, 4)))


def test_a_value_left_alive_under_detect_anomaly_or_a_tape_is_judged_rightly():
    from tinygrad_edu import Tape
    W = Tensor(np.ones((4, 3)), requires_grad=True)
    with detect_anomaly():  # keeps every node's inputs alive: no program, nothing to refuse
        jit(lambda x: (lambda z: (z * z).sum() + 0 * ((z > 0) * 1.0).mean())(Tensor(x) @ W))(
            np.ones((2, 4)))
    stats = {}

    def keeping(x):
        z = Tensor(x) @ W
        stats["pred"] = z > 1  # kept outside the loss: stale after a replay
        return (z * z).sum()

    step = jit(keeping)
    with Tape():  # the Tape keeps every tensor: these calls cannot be judged, nor count as checks
        for _ in range(4):
            step(np.ones((2, 4)))
    with pytest.raises(RuntimeError, match=r"keeps it outside the loss"):
        step(np.ones((2, 4)))


def test_activations_the_caller_keeps_follow_every_replay():
    """A learner's network keeps its layers (net.layer[i]) and reads them after each step, as
    3Blue1Brown's code and Nielsen's backprop do: each replay writes that batch's values there."""
    rng = np.random.default_rng(6)
    calls = [(rng.standard_normal((3 if k % 4 else 2, 4)),) for k in range(14)]  # 2 shapes

    def forward(W, x, net):
        net.layer[0] = Tensor(x)  # the batch itself, as the first layer
        net.layer[1] = net.layer[0] @ W  # computed into in place by the next add
        net.layer[2] = net.layer[1] + 1.0
        net.layer[3] = net.layer[2] - 1.5  # and this one into layer 2's
        net.layer[4] = net.layer[3].sigmoid()
        return (net.layer[4] ** 2).sum()

    step = _same_reads(forward, 5, calls)
    assert "KEPT[0] = (t1, t2, t3, t4, x, )" in step.source
    assert "t2 = t1 + 1\n" in step.source and "t3 = t2 - 1.5\n" in step.source  # own arrays
    assert len(step.programs) == 2  # each shape's replays write into what the caller keeps


def test_relu_is_computed_in_its_inputs_array_unless_the_caller_keeps_that_input():
    """relu(z) goes into z's array when nothing else reads z (the mask reads relu's output, the
    same booleans), as a hand-written np.maximum(z, 0, out=z); a kept z gets its own array back."""
    rng = np.random.default_rng(8)
    calls = [(rng.standard_normal((3, 4)),) for _ in range(8)]

    def forward(W, x, net):
        net.layer[0] = (Tensor(x) @ W - 0.1).relu()
        return (net.layer[0] ** 2).sum()

    step = _same_reads(forward, 1, calls)  # (W's 12 entries are from −1 to 1: some z are < 0)
    assert "t3 = np.maximum(t2, 0, out=t2)  # np.maximum(t2, 0), in t2's array" in step.source
    assert "dt2 = dt3 * (t3 > 0)" in step.source

    def keeps_z(W, x, net):
        net.layer[0] = Tensor(x) @ W - 0.1
        net.layer[1] = net.layer[0].relu()
        return (net.layer[1] ** 2).sum()

    step = _same_reads(keeps_z, 2, calls)  # z keeps its negative entries after every replay
    assert "t3 = np.maximum(t2, 0)\n" in step.source and "KEPT[0] = (t2, t3, " in step.source


def test_a_constant_named_like_the_kept_list_keeps_its_value():
    rng = np.random.default_rng(10)
    calls = [(rng.standard_normal((3, 4)),) for _ in range(6)]
    scale = Tensor(np.full(3, 0.5), name="KEPT")  # the name of the list replays write kept into

    def forward(W, x, net):
        net.layer[0] = (Tensor(x) @ W) * scale
        return (net.layer[0] ** 2).sum()

    step = _same_reads(forward, 1, calls)
    assert "t1 * _KEPT" in step.source and "KEPT[0] = (t2, " in step.source


def test_programs_called_in_turn_follow_what_the_caller_keeps_without_eager_runs():
    """Two batch sizes in turn, each with its own program: the caller keeps one run's tensors,
    and the other program, with the same operations, writes into them without an eager run.
    A call that fails in the step (a bad batch) leaves the caller new tensors: seen too."""
    rng = np.random.default_rng(7)
    calls = [(rng.standard_normal((n, 4)),) for n in [3, 2] * 8]
    calls[9] = (rng.standard_normal((2, 5)),)  # a bad batch: its matmul fails in the step

    def forward(W, x, net):
        net.layer[0] = Tensor(x)
        net.layer[1] = (net.layer[0] @ W).sigmoid()
        return (net.layer[1] ** 2).sum()

    eager_runs = []
    _same_reads(forward, 2, calls, eager_runs)
    assert len(eager_runs) <= 8  # 2 captures, 4 checked calls, the bad batch, one look after it


def _same_reads(forward, layers, calls, eager_runs=None):
    """Run the calls eagerly, then through jit, from the same W; assert that W and what the
    caller reads from net.layer after each call are the same. A call that fails in the step is
    skipped, as a learner's try/except would. Returns the jit step."""
    seen = {}
    for use_jit in (False, True):
        net = types.SimpleNamespace(layer=[None] * layers)
        W = Tensor(np.linspace(-1, 1, 12).reshape(4, 3), requires_grad=True)
        opt = SGD([W], lr=0.1)
        step = jit(functools.partial(forward, W, net=net), optimizer=opt) if use_jit else None
        if step is not None and eager_runs is not None:
            step._eager = functools.partial(_counted, step._eager, eager_runs)
        read = []
        for (x,) in calls:
            try:
                if step is not None:
                    step(x)
                else:
                    opt.zero_grad()
                    forward(W, x, net).backward()
                    opt.step()
            except ValueError:
                opt.zero_grad()
            read.append([t.numpy().copy() for t in net.layer])
        seen[use_jit] = (read, W.numpy())
    assert np.array_equal(seen[False][1], seen[True][1])
    for eager, replayed in zip(seen[False][0], seen[True][0]):
        assert all(np.array_equal(a, b) for a, b in zip(eager, replayed))
    return step


def _counted(fn, calls, *args):
    calls.append(1)
    return fn(*args)
