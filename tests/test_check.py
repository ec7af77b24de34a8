"""check.verify against hand backprops (the books' references and planted mistakes), its report,
its handling of broken learner code, and gradcheck with a negative control."""

import functools
import inspect
import re

import numpy as np
import pytest

from tinygrad_edu import Tensor, ops, presets
from tinygrad_edu.check import Report, check_preset, gradcheck, numerical_grad, verify
from tinygrad_edu.check.verify import DEFAULT_BATCH, RTOL
from tinygrad_edu.reference import dlfs, nielsen
from tinygrad_edu.tensor import apply

BOOK_PRESETS = [name for name, p in presets.PRESETS.items() if p.reference is not None]


def case(name):
    """A preset, its initial float64 parameters and a real batch of 7, as check_preset uses."""
    preset = presets.get(name)
    return (preset, preset.init_params(seed=3), *preset.sample(DEFAULT_BATCH, seed=3))


@pytest.fixture(scope="module")
def nielsen_case():
    return case("nielsen")


@pytest.fixture(scope="module")
def scratch_case():
    return case("scratch")


def run(case, backprop):
    preset, params, x, y = case
    return verify(preset.forward, backprop, params, x, y)


# ----- the books' references agree with autograd -------------------------------------------------

def test_the_four_book_presets_are_checked():
    assert sorted(BOOK_PRESETS) == ["3b1b", "digits32", "nielsen", "scratch"]


@pytest.mark.parametrize("name", BOOK_PRESETS)
def test_reference_backprop_agrees_with_autograd(name):
    report = check_preset(name, batch_size=5, seed=1)
    assert report.ok, str(report)
    compared = [r for r in report.rows if r.ok is not None]
    params = [r.name for r in report.rows if r.kind == "param"]
    assert {r.name for r in compared} >= set(params)
    assert any(r.kind == "δ" for r in compared)  # every reference returns its δs too
    assert all(r.max_rel <= 1e-10 and r.got_shape == r.expected_shape for r in compared)
    assert report.first_bad is None
    assert report.diagnosis.startswith(f"all {len(compared)} gradients agree with autograd")
    assert f"check {name}:" in str(report) and "5 " in report.title


def test_check_preset_refuses_a_preset_without_reference():
    with pytest.raises(ValueError, match="no reference backprop.*nielsen"):
        check_preset("best")


def test_check_preset_fails_when_the_reference_is_wrong():
    broken = presets.get("nielsen").with_overrides(loss="squared_error")  # the reference's ½ is off
    report = check_preset(broken, batch_size=4)
    assert not report.ok and report.first_bad == "z3"
    assert "exactly 0.5× autograd's" in report.diagnosis


# ----- the order and the diagnosis ----------------------------------------------------------------

def test_rows_follow_the_backward_order(nielsen_case):
    report = run(nielsen_case, nielsen.backprop)
    assert [r.name for r in report.rows] == ["a3", "z3", "b3", "W3", "a2", "z2", "b2", "W2"]
    assert [r.kind for r in report.rows] == ["δ", "δ", "param", "param"] * 2
    assert [r.ok for r in report.rows] == [None, True, True, True] * 2
    assert report.rows[0].note == "not returned"


def test_a_wrong_hidden_delta_names_the_step(nielsen_case):
    def backprop(params, x, y):
        grads = nielsen.backprop(params, x, y)
        grads["z2"] = grads["z2"] * 1.5 + 1e-3  # planted in δ², nowhere else
        return grads

    report = run(nielsen_case, backprop)
    assert report.first_bad == "z2" and not report.ok
    assert report.diagnosis == ("δ at z3 agrees, δ at z2 does not: the step z3 → z2, "
                                "δ² = ((W³)ᵀδ³) ⊙ σ'(z²), is wrong")


def test_the_formula_is_read_from_the_rows_layout(scratch_case):
    def backprop(params, x, t):
        grads = dlfs.backprop(params, x, t)
        del grads["a1"]
        grads["z1"] = grads["z1"] * 2.0 + 1e-4
        return grads

    report = run(scratch_case, backprop)
    assert report.first_bad == "z1"
    assert "the step z2 → z1, δ¹ = (δ²(W²)ᵀ) ⊙ [z¹ > 0], is wrong" in report.diagnosis


def test_a_returned_intermediate_shortens_the_step(scratch_case):
    def backprop(params, x, t):
        grads = dlfs.backprop(params, x, t)
        grads["z1"] = grads["z1"] * 2.0 + 1e-4  # a1 is returned and right
        return grads

    report = run(scratch_case, backprop)
    assert report.first_bad == "z1"
    assert "∂C/∂a1 agrees, δ at z1 does not: the step a1 → z1, δ¹ = ∂C/∂a¹ ⊙ [z¹ > 0]" in \
        report.diagnosis


def test_a_wrong_bias_gradient_points_at_the_batch_sum(nielsen_case):
    def backprop(params, x, y):
        grads = nielsen.backprop(params, x, y)
        grads["b2"] = grads["z2"][:, :1]  # the first example's δ only
        return grads

    report = run(nielsen_case, backprop)
    assert report.first_bad == "b2"
    assert report.diagnosis.startswith("δ at z2 agrees but ∂C/∂b2 does not: check ∂C/∂b² = "
                                       "Σ_batch δ² (δ summed over the batch)")


def test_a_wrong_weight_without_deltas_asks_for_them(nielsen_case):
    def backprop(params, x, y):
        grads = {k: v for k, v in nielsen.backprop(params, x, y).items() if k[0] in "Wb"}
        grads["W3"] = grads["W3"] + 1e-3
        return grads

    report = run(nielsen_case, backprop)
    assert report.first_bad == "W3"
    assert "δ at z3 was not returned to compare: check ∂C/∂W³ = δ³(a²)ᵀ" in report.diagnosis
    assert "return 'z3' too" in report.diagnosis


def test_a_constant_factor_is_named(nielsen_case):
    report = run(nielsen_case, lambda p, x, y: {k: g * -1 for k, g in
                                                nielsen.backprop(p, x, y).items()})
    assert report.first_bad == "z3"
    assert "exactly -1× autograd's: the sign is flipped" in report.diagnosis
    assert "δ at the output z3 is wrong" in report.diagnosis


@pytest.mark.parametrize("factor, words", [
    (DEFAULT_BATCH, "m = 7 times too large: divide by the batch size"),
    (1 / DEFAULT_BATCH, "m = 7 times too small: you divided by the batch size twice"),
    (0.0, "the gradient is all zeros"),
])
def test_an_averaging_mistake_says_which_way(nielsen_case, factor, words):
    report = run(nielsen_case, lambda p, x, y: {k: g * factor for k, g in
                                                nielsen.backprop(p, x, y).items()})
    assert report.first_bad == "z3" and report.rows[1].note.startswith(words)
    assert f"is wrong ({words}" in report.diagnosis
    assert "×" not in report.diagnosis  # not "exactly 0× autograd's", not "7× autograd's"


# ----- shapes, missing and unknown names ----------------------------------------------------------

def test_a_shape_mismatch_is_a_finding_not_a_crash(nielsen_case):
    def backprop(params, x, y):
        grads = nielsen.backprop(params, x, y)
        grads["W3"] = grads["W3"].T
        return grads

    report = run(nielsen_case, backprop)
    row = next(r for r in report.rows if r.name == "W3")
    assert row.ok is False and row.got_shape == (30, 10) and row.expected_shape == (10, 30)
    assert row.note == "shape transposed" and row.max_abs is None
    assert report.first_bad == "W3"
    assert "∂C/∂W3 has shape (30, 10), expected (10, 30) (transposed)" in report.diagnosis


def test_names_not_returned_are_marked_and_parameters_are_required(nielsen_case):
    def backprop(params, x, y):
        grads = nielsen.backprop(params, x, y)
        del grads["z2"], grads["b2"]
        return grads

    report = run(nielsen_case, backprop)
    rows = {r.name: r for r in report.rows}
    assert rows["z2"].ok is None and rows["z2"].note == "not returned"
    assert not report.ok and report.missing == ["b2"] and report.first_bad is None
    assert report.diagnosis.endswith("but ∂C/∂b2 was not returned")


def test_unknown_names_are_findings(nielsen_case):
    def backprop(params, x, y):
        return {**nielsen.backprop(params, x, y), "delta2": np.zeros((30, 7)), "x": x}

    report = run(nielsen_case, backprop)
    assert not report.ok and len(report.findings) == 2
    assert "'delta2' is neither a parameter nor a named tensor" in report.findings[0]
    assert "'x' is the input" in report.findings[1]
    assert "z2" in report.findings[0] and report.diagnosis == report.findings[0]


# ----- broken learner code -----------------------------------------------------------------------

def test_learner_code_that_raises_is_reported(nielsen_case):
    def backprop(params, x, y):
        return {"W2": params["W2"] @ x.T @ np.ones((3, 3))}

    report = run(nielsen_case, backprop)
    assert not report.ok and report.first_bad is None
    assert report.diagnosis.startswith("your backprop raised ValueError: matmul: Input operand 1")
    assert "test_check.py" in report.diagnosis and "in backprop" in report.diagnosis
    assert all(r.ok is None for r in report.rows)
    text = str(report).splitlines()  # the exception leads, not eight "not compared" rows
    assert text[1].startswith("diagnosis: your backprop raised ValueError") and len(text) == 3
    assert text[2] == "not compared: a3, z3, b3, W3, a2, z2, b2, W2"


def test_an_exception_inside_numpy_names_the_learners_line(nielsen_case):
    def backprop(params, x, y):
        inverse = np.linalg.inv(params["W3"])  # raised inside numpy's own Python code
        return {"W3": inverse}

    report = run(nielsen_case, backprop)
    assert "LinAlgError" in report.diagnosis
    assert "test_check.py" in report.diagnosis and "in backprop: inverse = np.linalg.inv" in \
        report.diagnosis


def test_none_from_a_forgotten_return_is_named(nielsen_case):
    def feedforward(params, x):
        params["W2"] @ x  # no return

    report = run(nielsen_case, lambda p, x, y: {"W2": feedforward(p, x) - 1.0})
    assert "'NoneType'" in report.diagnosis and "forget to `return`" in report.diagnosis
    report = run(nielsen_case, lambda p, x, y: None)
    assert report.diagnosis.startswith("your backprop returned None") and not report.ok


@pytest.mark.parametrize("result, words", [
    ((np.zeros(3), np.zeros(3)), "a tuple of 2 items, not a dict.*nabla_b, nabla_w"),
    ([np.zeros(3)], "a list of 1 items"),
    (np.zeros(3), "returned a ndarray, not a dict"),
    ({2: np.zeros(3)}, "keys that are not names"),
])
def test_non_dict_results_are_reported(nielsen_case, result, words):
    report = run(nielsen_case, lambda p, x, y: result)
    assert not report.ok
    assert re.search(words, report.diagnosis), report.diagnosis


@pytest.mark.parametrize("value, note", [
    (None, "None, not an array"),
    ([[0.0] * 30] * 10, "a list, not an array"),
    (np.array(["a"]), "an array of <U1, not real numbers"),
    (np.full((10, 30), np.nan), "contains nan or inf"),
])
def test_non_array_gradients_are_row_findings(nielsen_case, value, note):
    def backprop(params, x, y):
        return {**nielsen.backprop(params, x, y), "W3": value}

    report = run(nielsen_case, backprop)
    row = next(r for r in report.rows if r.name == "W3")
    assert row.ok is False and row.note.startswith(note)
    assert report.first_bad == "W3" and not report.ok


def test_gradients_may_be_tensors_or_float32(nielsen_case):
    def backprop(params, x, y):
        grads = nielsen.backprop(params, x, y)
        return {k: Tensor(g) if k.startswith("W") else g for k, g in grads.items()}

    assert run(nielsen_case, backprop).ok
    f32 = run(nielsen_case, lambda p, x, y: {k: g.astype(np.float32) for k, g in
                                             nielsen.backprop(p, x, y).items()})
    # rounding a right answer to float32 (relative 6e-8) stays inside any tolerance
    assert f32.ok and max(r.max_rel for r in f32.rows if r.ok) > 1e-9


# ----- the caller's objects -----------------------------------------------------------------------

def test_callers_objects_are_never_modified(nielsen_case):
    preset, params, x, y = nielsen_case
    as_tensors = {k: Tensor(v.astype(np.float32), requires_grad=True, name=k)
                  for k, v in params.items()}
    before = {k: t.data.copy() for k, t in as_tensors.items()}
    x_t, y_copy = Tensor(x.copy()), y.copy()

    def vandal(params, x, y):  # a learner whose code updates its arguments in place
        grads = nielsen.backprop(params, x, y)
        for p in params.values():
            p *= 0
        x[:] = 7
        y[:] = 7
        return grads

    report = verify(preset.forward, vandal, as_tensors, x_t, y_copy)
    assert report.ok, str(report)  # compared in float64 though the caller's W are float32
    for k, t in as_tensors.items():
        assert t.grad is None and t.dtype == np.float32 and t._version == 0
        np.testing.assert_array_equal(t.data, before[k])
    np.testing.assert_array_equal(x_t.data, x)
    np.testing.assert_array_equal(y_copy, y)


def test_forward_mistakes_raise(nielsen_case):
    preset, params, x, y = nielsen_case

    def twice_named(p, x, y):
        z = p["W2"] @ x + p["b2"]
        z.name = "z2"
        a = z.sigmoid()
        a.name = "z2"
        return (a * a).sum()

    with pytest.raises(ValueError, match="names two tensors 'z2'"):
        verify(twice_named, nielsen.backprop, params, x, y)
    with pytest.raises(ValueError, match="single number, got shape"):
        verify(lambda p, x, y: p["W2"] @ x, nielsen.backprop, params, x, y)
    with pytest.raises(TypeError, match="as a Tensor, got float"):
        verify(lambda p, x, y: 1.0, nielsen.backprop, params, x, y)
    with pytest.raises(TypeError, match="non-empty dict"):
        verify(preset.forward, nielsen.backprop, [], x, y)


# ----- the report ---------------------------------------------------------------------------------

def test_report_text_and_markdown(nielsen_case):
    report = run(nielsen_case, nielsen.backprop)
    text = str(report).splitlines()
    assert text[0] == report.title
    assert text[1].split() == ["name", "kind", "expected", "got", "max", "abs", "max", "rel", "ok",
                               "note"]
    assert text[3].split()[:3] == ["z3", "δ", "(10,"] and "✓" in text[3]
    assert text[-1] == f"diagnosis: {report.diagnosis}"
    md = report.to_markdown().splitlines()
    assert md[2] == ("| name | kind | expected shape | got shape | max abs err | max rel err | "
                     "ok | note |")
    assert md[5].startswith("| z3 | δ | (10, 7) | (10, 7) | ") and md[5].endswith("| ✓ |  |")
    assert md[-1] == f"**Diagnosis:** {report.diagnosis}"
    assert isinstance(report, Report) and report.ok


# ----- gradcheck ---------------------------------------------------------------------------------

def cube(x):
    return x**3


WRONG_CUBE = ops.Primitive(cube, "∂C/∂x = dout ⊙ 2x² (wrong: it is 3x²)")
WRONG_CUBE.vjp(lambda dout, out, x: (dout * 2 * x * x,))


def test_gradcheck_catches_a_primitive_with_a_wrong_derivative():
    x = np.array([[0.5, -1.0, 2.0]])
    with pytest.raises(AssertionError, match=r"input 0 .*index \(0, 2\) autograd gives 8 but the "
                                             r"numerical gradient is 12"):
        gradcheck(lambda t: apply(WRONG_CUBE, t), x)
    assert "cube" not in ops.PRIMITIVES  # the test's primitive is not one of the engine's


def test_gradcheck_compares_every_input():
    def mul(x, y):
        return x * y

    half_wrong = ops.Primitive(mul, "∂C/∂y is wrong at one element")
    half_wrong.vjp(lambda dout, out, x, y: (dout * y, dout * x + (np.arange(x.size) == 1)))
    a, b = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    with pytest.raises(AssertionError, match=r"input 1 of shape \(3,\): at index \(1,\) autograd "
                                             r"gives 3 but the numerical gradient is 2"):
        gradcheck(lambda x, y: apply(half_wrong, x, y), a, b)


@pytest.mark.parametrize("f, shapes", [
    (lambda x, W: (x @ W).sigmoid(), [(4, 3), (3, 2)]),
    (lambda x, b: (x + b).log_softmax(axis=1), [(4, 3), (3,)]),
    (lambda x: (x * x).sum(axis=0).sqrt(), [(3, 2)]),
    (lambda x, y: x / y + x.tanh() - y.exp(), [(2, 3), (2, 3)]),
])
def test_gradcheck_passes_correct_ops(f, shapes):
    rng = np.random.default_rng(0)
    assert gradcheck(f, *[rng.uniform(0.5, 1.5, s) for s in shapes]) is True


def test_gradcheck_warns_on_float32_and_leaves_inputs_alone():
    x = np.array([1.0, 2.0], dtype=np.float32)
    with pytest.warns(UserWarning, match="input 0 of dtype float32 converted to float64"):
        assert gradcheck(lambda t: (t * t).sum(), x)
    assert x.dtype == np.float32 and list(x) == [1.0, 2.0]
    W = Tensor([3.0], requires_grad=True, name="W")
    assert gradcheck(lambda t: t * t, W) and W.grad is None


def test_numerical_grad_is_a_central_difference():
    g = numerical_grad(lambda t: (t * t * t).sum(), [np.array([2.0, -1.0])], 0)
    np.testing.assert_allclose(g, [12.0, 3.0], rtol=1e-8)


# ----- issue 8's diagnosis wording ----------------------------------------------------------------

def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def only_zs_named(p, x, y):
    """3Blue1Brown's cost C = (1/m) Σ‖a − y‖², with the z's named and the a's not."""
    a = x
    for l in (1, 2, 3):
        z = p[f"W{l}"] @ a + p[f"b{l}"]
        z.name = f"z{l}"
        a = z.sigmoid()
    return ((a - y) ** 2).sum() / x.shape[1]


def threeb1b_backprop(p, x, y, *, output_delta):
    a, z = {0: x}, {}
    for l in (1, 2, 3):
        z[l] = p[f"W{l}"] @ a[l - 1] + p[f"b{l}"]
        a[l] = sigmoid(z[l])
    delta = {3: output_delta(a[3], y, z[3], x.shape[1])}
    for l in (2, 1):
        delta[l] = (p[f"W{l + 1}"].T @ delta[l + 1]) * a[l] * (1 - a[l])
    grads = {}
    for l in (1, 2, 3):
        grads[f"z{l}"] = delta[l]
        grads[f"W{l}"] = delta[l] @ a[l - 1].T
        grads[f"b{l}"] = delta[l].sum(axis=1, keepdims=True)
    return grads


@pytest.fixture(scope="module")
def threeb1b_case():
    return case("3b1b")


BP1 = {
    "right": lambda a, y, z, m: 2 * (a - y) / m * a * (1 - a),
    "no 2": lambda a, y, z, m: (a - y) / m * a * (1 - a),
    "no σ'": lambda a, y, z, m: 2 * (a - y) / m,
    "σ'(a)": lambda a, y, z, m: 2 * (a - y) / m * sigmoid(a) * (1 - sigmoid(a)),
}


@pytest.mark.parametrize("slip, words", [
    ("no 2", "(exactly 0.5× autograd's"),
    ("no σ'", "; yours is ∂C/∂a³ alone: the ⊙ σ'(z³) is missing"),
    ("σ'(a)", "; yours is ∂C/∂a³ ⊙ σ'(a³): the derivative is taken at a³"),
])
def test_a_wrong_output_delta_reads_as_bp1_without_a_named_activation(threeb1b_case, slip,
                                                                       words):
    _, params, x, y = threeb1b_case
    assert verify(only_zs_named, functools.partial(threeb1b_backprop, output_delta=BP1["right"]),
                  params, x, y).ok
    report = verify(only_zs_named,
                    functools.partial(threeb1b_backprop, output_delta=BP1[slip]), params, x, y)
    assert report.first_bad == "z3"
    assert report.diagnosis.startswith("δ at the output z3 is wrong")
    assert ("check BP1, δᴸ = ∇ₐC ⊙ σ'(zᴸ), here δ³ = ∂C/∂a³ ⊙ σ'(z³), where this cost's "
            "∂C/∂a³ = 2(a³ − y)/m (m = 7 examples): the cost's derivative at this batch's a³, "
            "times the activation's derivative at z³ (not at a³)") in report.diagnosis
    assert words in report.diagnosis
    assert "copied over every axis" not in report.diagnosis and "t7" not in report.diagnosis


def test_a_linear_output_names_the_costs_derivative(nielsen_case):
    _, params, x, y = nielsen_case

    def forward(p, x, y):
        z = p["W3"] @ (p["W2"] @ x + p["b2"]).sigmoid() + p["b3"]
        z.name = "z3"
        return ((z - y) ** 2).sum() * (0.5 / x.shape[1])

    def backprop(p, x, y):
        a2 = sigmoid(p["W2"] @ x + p["b2"])
        delta3 = p["W3"] @ a2 + p["b3"] - y  # the slip: no 1/m
        return {"z3": delta3, "W3": delta3 @ a2.T}

    report = verify(forward, backprop, params, x, y)
    assert report.diagnosis.startswith(
        "δ at the output z3, the first gradient below the loss, is wrong (m = 7 times too large: "
        "divide by the batch size): for this cost δ³ = ∂C/∂z³ = (z³ − y)/m (m = 7 examples)")


def test_check_preset_draws_a_batch_no_other_axis_has():
    assert inspect.signature(check_preset).parameters["batch_size"].default == DEFAULT_BATCH == 7
    report = check_preset("scratch")
    assert "on 7 mnist training examples" in report.title
    assert report.rows[0].expected_shape == (7, 10)


@pytest.mark.parametrize("preset, name, bias, expected, got, hint", [
    ("nielsen", "b3", lambda d: d.sum(axis=0, keepdims=True), (10, 1), (1, 7),
     "summed over the wrong axis: axis 0, the 10 neurons, instead of axis 1, the 7 examples"),
    ("nielsen", "b3", lambda d: d.sum(axis=0), (10, 1), (7,),
     "summed over the wrong axis: axis 0, the 10 neurons, instead of axis 1, the 7 examples"),
    ("nielsen", "b3", lambda d: d, (10, 1), (10, 7), "not summed over the batch"),
    ("nielsen", "b3", lambda d: d.T, (10, 1), (7, 10),
     "transposed, and not summed over the batch"),
    ("nielsen", "b3", lambda d: d.sum(axis=1), (10, 1), (10,),
     "differs by axes of length 1: reshape"),
    ("scratch", "b2", lambda d: d.sum(axis=1), (10,), (7,),
     "summed over the wrong axis: axis 1, the 10 neurons, instead of axis 0, the 7 examples"),
    ("scratch", "b2", lambda d: d.sum(axis=1, keepdims=True), (10,), (7, 1),
     "summed over the wrong axis: axis 1, the 10 neurons, instead of axis 0, the 7 examples"),
    ("scratch", "b2", lambda d: d.sum(axis=0, keepdims=True), (10,), (1, 10),
     "differs by axes of length 1: reshape"),
])
def test_a_bias_reduced_over_the_wrong_axis_is_told_apart(preset, name, bias, expected, got, hint):
    reference = {"nielsen": nielsen, "scratch": dlfs}[preset]
    _, params, x, y = case(preset)
    delta = "z" + name[1:]

    def backprop(p, x, y):
        grads = reference.backprop(p, x, y)
        grads[name] = bias(grads[delta])
        return grads

    report = verify(presets.get(preset).forward, backprop, params, x, y)
    row = next(r for r in report.rows if r.name == name)
    assert (row.expected_shape, row.got_shape) == (expected, got)
    assert row.note == "shape " + hint and report.first_bad == name
    assert f"has shape {got}, expected {expected} ({hint})" in report.diagnosis


# ----- tolerances follow the dtype ----------------------------------------------------------------

def in_float32(p, x, y):
    """Nielsen's reference backprop computed in float32, as a learner's float32 network does."""
    return nielsen.backprop({k: v.astype(np.float32) for k, v in p.items()},
                            x.astype(np.float32), y.astype(np.float32))


def test_a_correct_float32_backprop_passes_with_a_precision_note(nielsen_case):
    report = run(nielsen_case, in_float32)
    compared = [r for r in report.rows if r.ok is not None]
    assert all(r.got_shape == r.expected_shape for r in compared)
    assert report.ok, str(report)
    assert max(r.max_rel for r in compared) > RTOL  # it would fail a float64 tolerance
    noted = [r for r in compared if r.max_rel > RTOL]
    assert noted and all(re.fullmatch(r"agrees to \d\.\de-0\d: float32 rounding, not a mistake",
                                      r.note) for r in noted)
    assert "to the precision of your code" in report.diagnosis
    assert "float32 rounding, not a mistake" in report.diagnosis


def test_float32_code_returning_float64_needs_the_dtype(nielsen_case):
    def cast_back(p, x, y):
        return {k: g.astype(np.float64) for k, g in in_float32(p, x, y).items()}

    report = run(nielsen_case, cast_back)
    assert not report.ok  # held to float64: a near miss, with the reason
    note = report.rows[1].note
    assert "float32 rounding's size, a mistake in float64 code" in note
    assert "pass dtype=np.float32" in note
    preset, params, x, y = nielsen_case
    assert verify(preset.forward, cast_back, params, x, y, dtype=np.float32).ok
    with pytest.raises(TypeError, match="dtype must be a real number type such as np.float32"):
        verify(preset.forward, cast_back, params, x, y, dtype=str)
    assert not verify(preset.forward, cast_back, params, x, y, dtype=np.int64).ok  # as float64


def test_a_gradient_off_by_1e_5_is_rejected_in_float64(nielsen_case):
    def off(p, x, y):
        grads = nielsen.backprop(p, x, y)
        grads["W2"] = grads["W2"] * (1 + 1e-5)
        return grads

    report = run(nielsen_case, off)
    assert not report.ok and report.first_bad == "W2"
    row = next(r for r in report.rows if r.name == "W2")
    assert row.max_rel == pytest.approx(1e-5, rel=1e-3)


def test_a_real_mistake_in_float32_is_still_a_mistake(nielsen_case):
    def off(p, x, y):
        grads = in_float32(p, x, y)
        grads["W2"] = grads["W2"] * np.float32(1.01)
        return grads

    report = run(nielsen_case, off)
    assert not report.ok and report.first_bad == "W2"


# ----- where it differs ---------------------------------------------------------------------------

def test_where_a_delta_differs_names_the_example_and_neuron(nielsen_case):
    def backprop(params, x, y):
        grads = nielsen.backprop(params, x, y)
        grads["z2"] = grads["z2"].copy()
        grads["z2"][4, 5] += 0.25  # neuron 4 of example 5, nowhere else
        return grads

    report = run(nielsen_case, backprop)
    row = next(r for r in report.rows if r.name == "z2")
    assert (row.n_bad, row.size, row.worst_index) == (1, 30 * 7, (4, 5))
    assert row.got_value - row.expected_value == pytest.approx(0.25)
    assert row.note == (f"1 of 210 entries differ; worst at example 5, neuron 4: yours "
                        f"{row.got_value:.3g}, autograd {row.expected_value:.3g}")
    assert report.diagnosis.startswith("δ at z3 agrees, δ at z2 does not: the step z3 → z2")
    assert report.diagnosis.endswith(f"; δ²: {row.note}")
    assert row.note in str(report)
    right = [r for r in report.rows if r.ok]
    assert right and all(r.n_bad == 0 and r.size == int(np.prod(r.expected_shape))
                         for r in right)


def test_the_worst_entry_of_a_tie_is_the_first_whatever_the_last_bit():
    """A transposed square W is off by the same amount at [i, j] and [j, i]; which of the two
    rounding leaves a bit larger differs between BLAS builds, so a finding's "worst at" is the
    first entry within rounding of the largest: the same text on every machine."""
    from tinygrad_edu.check.report import Row
    from tinygrad_edu.check.verify import _where

    expected = np.zeros((3, 3))
    got = expected.copy()
    got[1, 2], got[2, 1] = 0.5, 0.5 * (1 + 4e-16)  # [2, 1] larger by a bit
    row = Row("W", "param", (3, 3), (3, 3))
    _where(row, got, expected, np.abs(got - expected), 1e-12)
    assert row.worst_index == (1, 2) and row.got_value == 0.5
    got[2, 1] = 0.6  # a real difference still wins
    _where(row, got, expected, np.abs(got - expected), 1e-12)
    assert row.worst_index == (2, 1)


def test_where_a_parameter_differs_names_its_neuron_and_input(scratch_case):
    def backprop(params, x, t):
        grads = dlfs.backprop(params, x, t)
        grads["W2"] = grads["W2"].copy()
        grads["W2"][[3, 17, 40], 2] = 0.5
        return grads

    report = run(scratch_case, backprop)
    row = next(r for r in report.rows if r.name == "W2")
    assert row.n_bad == 3 and row.size == 500 and row.worst_index[1] == 2
    assert row.got_value == 0.5
    assert row.note.startswith(f"3 of 500 entries differ, all in neuron 2; worst at neuron 2, "
                               f"input {row.worst_index[0]}: yours 0.5, autograd ")


@pytest.mark.parametrize("index, words", [
    ((slice(None), 3), "30 of 210 entries differ, all in example 3; worst at example 3, neuron "),
    ((4, slice(None)), "7 of 210 entries differ, all in neuron 4; worst at example "),
])
def test_differences_in_one_example_or_one_neuron_are_named(nielsen_case, index, words):
    def backprop(params, x, y):
        grads = nielsen.backprop(params, x, y)
        grads["z2"] = grads["z2"].copy()
        grads["z2"][index] += 0.1
        return grads

    report = run(nielsen_case, backprop)
    assert report.rows[5].name == "z2" and report.rows[5].note.startswith(words)
    assert f"; δ²: {words}" in report.diagnosis


@pytest.mark.parametrize("slip, words", [
    ("no σ'", "; yours is ∂C/∂a² alone: the ⊙ σ'(z²) is missing"),
    ("σ'(a)", "; yours is ∂C/∂a² ⊙ σ'(a²): the derivative is taken at a²"),
])
def test_a_wrong_hidden_delta_names_the_classic_slips(slip, words):
    net = presets.get("3b1b")
    params, (x, y) = net.init_params(seed=1), net.sample(DEFAULT_BATCH, seed=1)
    hidden = {"no σ'": lambda W, d, a: W.T @ d,
              "σ'(a)": lambda W, d, a: (W.T @ d) * sigmoid(a) * (1 - sigmoid(a))}[slip]

    def backprop(p, x, y):
        grads = threeb1b_backprop(p, x, y, output_delta=BP1["right"])
        a2 = sigmoid(p["W2"] @ sigmoid(p["W1"] @ x + p["b1"]) + p["b2"])
        grads["z2"] = hidden(p["W3"], grads["z3"], a2)
        return grads

    report = verify(net.forward, backprop, params, x, y)
    assert report.first_bad == "z2"
    assert report.diagnosis.startswith("δ at z3 agrees, δ at z2 does not: the step z3 → z2, "
                                       "δ² = ((W³)ᵀδ³) ⊙ σ'(z²), is wrong; yours ")
    assert words in report.diagnosis


# ----- only the parameters' gradients (a whole program's backprop): the diagnosis by layers ------

def rows_forward(p, x, y):
    """A learner's column-layout weights on rows of examples, as the whole-program oracle writes
    it (z = a·Wᵀ + bᵀ), with nothing named: verify sees only parameters."""
    a, names = x, sorted({k[1:] for k in p}, key=int)
    for k in names:
        a = (a @ p[f"W{k}"].T + p[f"b{k}"].T).sigmoid()
    return ((a - y) ** 2).sum() * 0.5


def rows_backprop(p, x, y, *, slip=None):
    """Nielsen's backprop on rows, summed over the batch; slip plants one classic mistake."""
    names = sorted({k[1:] for k in p}, key=int)
    acts = [x]
    for k in names:
        acts.append(sigmoid(acts[-1] @ p[f"W{k}"].T + p[f"b{k}"].T))
    a = acts[-1]
    delta = (a - y) * (sigmoid(a) * (1 - sigmoid(a)) if slip == "σ'(a) out" else a * (1 - a))
    grads = {}
    for j in range(len(names) - 1, -1, -1):
        k = names[j]
        grads[f"W{k}"] = delta.T @ acts[j]
        grads[f"b{k}"] = delta.sum(axis=0)[:, None]
        if j:
            W = p[f"W{names[j - 1]}"] if slip == "W below" and j == 2 else p[f"W{k}"]
            delta = (delta @ W) * acts[j] * (1 - acts[j])
    if slip == "W3 transposed":  # square: numpy raises nothing
        grads["W3"] = grads["W3"].T
    return grads


@pytest.fixture(scope="module")
def deep_rows():
    rng = np.random.default_rng(4)
    sizes = [12, 9, 9, 9, 5]
    params = {}
    for k in range(1, len(sizes)):
        params[f"W{k}"] = rng.normal(size=(sizes[k], sizes[k - 1]))
        params[f"b{k}"] = rng.normal(size=(sizes[k], 1))
    x = rng.random((DEFAULT_BATCH, 12))
    y = np.eye(5)[rng.integers(0, 5, DEFAULT_BATCH)]
    return params, x, y


def test_parameter_only_gradients_that_agree(deep_rows):
    assert verify(rows_forward, rows_backprop, *deep_rows).ok


@pytest.mark.parametrize("slip, bad, words", [
    ("σ'(a) out", "b4", "∂C/∂b4, in the output layer, is wrong: check BP3, ∂C/∂b = Σ_batch δ, "
                        "with BP1's δᴸ = ∂C/∂a ⊙ σ'(zᴸ), where this cost's ∂C/∂a = a − y; yours "
                        "is made with σ'(a) where δ needs σ'(z)"),
    ("W below", "b2", "the layer above agrees (W3, b3) but ∂C/∂b2 does not: check BP2, δ = "
                      "(W3ᵀ·δ above) ⊙ σ'(z) for this layer, then BP3, ∂C/∂b = Σ_batch δ; yours "
                      "is BP2 written with W2 where it needs W3"),
])
def test_parameter_only_gradients_are_diagnosed_by_layer(deep_rows, slip, bad, words):
    report = verify(rows_forward, functools.partial(rows_backprop, slip=slip), *deep_rows)
    assert report.first_bad == bad
    assert report.diagnosis.startswith(words), report.diagnosis


def test_a_wrong_weight_beside_a_right_bias_is_bp4(deep_rows):
    report = verify(rows_forward, functools.partial(rows_backprop, slip="W3 transposed"),
                    *deep_rows)
    assert report.first_bad == "W3"
    assert report.diagnosis.startswith(
        "∂C/∂b3 agrees, so this layer's δ is right, but ∂C/∂W3 does not: check BP4, ∂C/∂W = "
        "δ·aᵀ (a: the activation entering the layer)")


def test_a_cross_entropy_output_delta_that_keeps_sigma_prime(nielsen_case):
    """network2's cost on logits: BP1 is δᴸ = a − y; the quadratic cost's δ keeps σ'(zᴸ)."""
    _, params, x, y = nielsen_case
    network2 = presets.get("nielsen").with_overrides(loss="sigmoid_cross_entropy")
    report = verify(network2.forward, nielsen.backprop, params, x, y)
    assert report.first_bad == "z3"
    assert report.diagnosis.startswith(
        "δ at the output z3, the first gradient below the loss, is wrong: for this cost δ³ = "
        "∂C/∂z³ = (σ(z³) − y)/m (m = 7 examples): σ' cancels in the cross-entropy cost, so BP1 "
        "is δᴸ = aᴸ − y, without σ'(zᴸ)")
    assert verify(network2.forward, functools.partial(nielsen.backprop, cost="cross_entropy"),
                  params, x, y).ok


def test_a_wrong_bias_beside_a_right_weight_is_bp3(deep_rows):
    def backprop(p, x, y):
        grads = rows_backprop(p, x, y)
        grads["b2"] = grads["b2"] * 0.5
        return grads

    report = verify(rows_forward, backprop, *deep_rows)
    assert report.first_bad == "b2"
    assert report.diagnosis == (
        "∂C/∂W2 agrees, so this layer's δ is right, but ∂C/∂b2 does not (exactly 0.5× "
        "autograd's: the ½ of the cost, or the 2 of d(a − y)²/da?): check BP3, ∂C/∂b = Σ_batch "
        "δ: δ summed over the examples, with nothing else added or scaled")
