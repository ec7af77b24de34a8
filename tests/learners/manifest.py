"""What each program in tests/learners/ is and which bugs it holds, for the checker's tests.

Every program is a learner's from-scratch numpy MNIST network as it sits on the learner's disk: the
training run at module level, its own loader beside it reading files only the learner has. A Case
names the file, what `tinygrad-edu check path:Target` would name, the code's style, data and layout,
and its bugs in the order a learner meets them: bugs[0] is the primary one, the bug that makes the
program fail first. Data only: stdlib dataclasses, no pytest, nothing that runs a program.
"""

from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Bug:
    """One mistake in a learner's program and what a finding about it must say."""

    check: str  # the check that must flag it: "forward", "gradients", "update", "minibatches",
    # "evaluation", "learning", "book"
    names: tuple  # strings the finding must contain, in the learner's own terms: the function
    # ("feedforward", "test") and/or parameter names ("self.weights[0]", "params['b1']", "W1");
    # where the learner builds a key in code (parameters["W" + str(l)]) just its value ("W2"); ()
    # where the finding cannot name the culprit: a consequence (a climbing cost), or batches
    # made by a helper that the adapter's epoch only shows being consumed
    line: str  # a substring of the learner's source line at fault ("" if no line is at fault)
    what: str  # one sentence, as a teacher would explain the bug
    at: bool = False  # the finding's place ("at Network.SGD (network2_shuffle.py:76)") must be
    # that line itself, not only its function
    caution: bool = False  # the program as written works, and the bug shows only when it
    # changes (mini-batches for a full-batch loop): a passing check names it as a caution


@dataclass(frozen=True)
class Case:
    """One learner program; bugs=() means the checker must pass it clean."""

    path: str  # relative to tests/learners/: "seed001/network.py"
    target: str | None  # what `check path:Target` names ("Network", "TwoLayerNet"); None: module
    style: str  # "nielsen", "nielsen2", "dlfs", "dlfs4", "functional", "coursera", "nnfs",
    # "rashid", "3b1b", "script"
    data: str  # "mnist" or "digits32"
    layout: str  # "columns" or "rows": how the learner's code holds examples
    layout_notes: str  # what the learner's loader returns (types, shapes, label format) and the
    # learner's own hyper-parameters (η, batch size) as their code states them
    bugs: tuple = ()  # of Bug, the primary (first met) bug first
    fixed: str | None = None  # path of the corrected version (itself a Case with bugs=())
    adapter: str | None = None  # path of the learner's adapter file (defines adapter(program),
    # for `check path --adapter file`) where no recognizer knows the shape; None: recognized
    # with no adapter code (Nielsen, DLFS, a script read from its training loop)

    @property
    def file(self):
        """The program's absolute path."""
        return HERE / self.path

    @property
    def primary(self):
        """The bug a learner meets first, or None for a clean program."""
        return self.bugs[0] if self.bugs else None


SEED000_NOTES = (
    "data_loader.load_mnist() reads ./MNIST/*.idx?-ubyte and returns (training_data, test_data), "
    "lists of (x, label): x a float64 ndarray (784,) in [0, 1], label a Python int (not one-hot; "
    "y(label) makes the one-hot (10,) target). 784-16-16-10 sigmoid, W[i] (n_out, n_in), 1-D "
    "biases B[i]; cost Σ(a − y)² without ½ (ga = 2(a − y)); gradient averaged over the mini-batch. "
    "Hyper-parameters: NN.train(training_data, 30, 3.0) (epochs, η); mb_size = 125 inside train(). "
    "Evaluation: test(test_data) returns a percentage. Activations live in self.layer[0..3]; "
    "feedforward(input) stores them and returns None."
)

SEED001_NOTES = (
    "mnist_loader.load_data_wrapper() gunzips Nielsen's mnist.pkl.gz from a hard-coded "
    "C:/Users/Tai/... path and returns (training_data, validation_data, test_data): training_data "
    "a list of (x (784, 1) float, y (10, 1) one-hot), validation/test lists of (x (784, 1), int "
    "label). Network([784, 30, 10]), sigmoid, quadratic cost ½‖a − y‖², per-example backprop "
    "summed and stepped by eta/len(mini_batch). Training call: net.SGD(training_data, 30, 10, 3.0, "
    "test_data=test_data): 30 epochs, mini-batch 10, η = 3.0. evaluate(test_data) returns a count."
)

SEED002_NOTES = (
    "dataset/mnist.py load_mnist(normalize=True, flatten=True, one_hot_label=True) downloads the "
    "IDX files, pickles them to dataset/mnist.pkl and returns (x_train, t_train), (x_test, "
    "t_test): x float32 (N, 784) in [0, 1], t one-hot float (N, 10). TwoLayerNet(784, 50, 10) in "
    "ch05/two_layer_net.py (imports common/ via sys.path.append(os.pardir)): params dict W1 (784, "
    "50), b1 (50,), W2, b2; layers OrderedDict Affine1/Relu1/Affine2 + SoftmaxWithLoss (mean "
    "cross-entropy, 1e-7 inside the log); the Affine layers hold the same arrays as params, so "
    "params must be updated in place. gradient(x, t) and numerical_gradient(x, t) return dicts of "
    "mean-loss gradients; accuracy(x, t) returns a fraction. The training loop is the separate "
    "script ch05/train_neuralnet.py: batch_size = 100 drawn with np.random.choice (with "
    "replacement), learning_rate = 0.1, iters_num = 10000, update network.params[key] -= lr·grad."
)

SEED003_NOTES = (
    "handwritingData('./trainingDigits') lists the folder and reads each 32×32 '0'/'1' text file "
    "with img2vector, returning (Mat, labels): Mat float64 (m, 1024) (stored on np.Mat), labels a "
    "list of ints from the file names '<digit>_<n>.txt'. Net: 1024-16-16-10 sigmoid, column "
    "vectors, W1 (16, 1024) ... b3 (10, 1); forward(X, y, activate) takes one column X (1024, 1) "
    "and a one-hot (10, 1) label, returns (Loss, y_hat); backward(y, activate) updates W and b in "
    "place with self.alpha and returns nothing, so gradients must be read from that update "
    "((before − after) / alpha). Cost SquareErrorSum ½Σ(ŷ − y)², online SGD (batch 1). "
    "Hyper-parameters: net.setLearnrate(0.01); net.train(trainMat, trainLabels, Epoch=2000). "
    "matplotlib is imported inside plotLosslist only (the seed imported it at the top)."
)

CASES = [
    Case(
        path="seed000/neural_network.py", target="Neural_Network", style="3b1b", data="mnist",
        layout="columns", layout_notes=SEED000_NOTES,
        bugs=(
            Bug("evaluation", ("test",), "np.argmax(self.layer[3])",
                "test() compares every label with the output left in self.layer[3] by the last "
                "forward pass instead of running feedforward on each test image, so every image "
                "gets the same prediction.", at=True),
            Bug("update", ("gradient_step",), "ga = 2*(self.layer[3]-self.y(label))",
                "gradient_step never runs the forward pass for the current image (the line under "
                "'# Set the layer outputs' is missing), so backprop uses the activations of an "
                "earlier pass (or the initial zeros) and the step is not the mini-batch's "
                "gradient."),
            Bug("minibatches", ("train",), "for k in range(len(training_data)//mb_size)",
                "the mini-batches start at k = 0, 1, 2, ... instead of stepping by mb_size, so "
                "one epoch uses only the first len//mb_size + mb_size − 1 examples (604 of "
                "60,000), in batches that overlap almost entirely.", at=True),
        ),
        fixed="seed000_fixed/neural_network.py",
    ),
    Case(
        path="seed000_fixed/neural_network.py", target="Neural_Network", style="3b1b",
        data="mnist", layout="columns", layout_notes=SEED000_NOTES,
    ),
    Case(
        path="seed001/network.py", target="Network", style="nielsen", data="mnist",
        layout="columns", layout_notes=SEED001_NOTES,
        bugs=(
            Bug("forward", ("feedforward",), "a = sigmoid(np.dot(w, a) + b)",
                "feedforward computes the output but has no `return a`, so it returns None and "
                "evaluate() counts argmax(None) = 0 as every prediction.", at=True),
        ),
        fixed="seed001_fixed/network.py",
    ),
    Case(
        path="seed001_fixed/network.py", target="Network", style="nielsen", data="mnist",
        layout="columns", layout_notes=SEED001_NOTES,
    ),
    Case(
        path="seed002/ch05/two_layer_net.py", target="TwoLayerNet", style="dlfs", data="mnist",
        layout="rows", layout_notes=SEED002_NOTES,
    ),
    Case(
        path="seed003/net.py", target="Net", style="3b1b", data="digits32", layout="columns",
        layout_notes=SEED003_NOTES,
    ),
]

NIELSEN2_NOTES = (
    "mnist_loader.load_data_wrapper() reads ../data/mnist.pkl.gz (Nielsen's pickle) and returns "
    "three zip objects (python 3): training pairs (x (784, 1) float, y (10, 1) one-hot), "
    "validation/test pairs (x (784, 1), int label); SGD() turns them into lists. Network([784, 30, "
    "10], cost=CrossEntropyCost): sigmoid, cost objects with fn/delta, weights scaled by 1/√n_in, "
    "L2 weight decay (1 − η·λ/n). Training call: net.SGD(training_data, 30, 10, 0.5, lmbda=5.0, "
    "evaluation_data=validation_data, ...): 30 epochs, mini-batch 10, η = 0.5, λ = 5.0. "
    "accuracy(data, convert=False) returns a count; total_cost(data, lmbda) the mean cost."
)

DLFS4_NOTES = (
    "dataset/mnist.py load_mnist(normalize=True, one_hot_label=True) as in seed002: x float32 "
    "(N, 784), t one-hot (N, 10). ch04/two_layer_net.py TwoLayerNet(784, 32, 10): sigmoid hidden "
    "layer, softmax + mean cross-entropy (1e-7 in the log), params dict W1 (784, 32), b1 (32,), "
    "W2, b2, no layer objects; numerical_gradient(x, t) by central differences and gradient(x, t) "
    "by backprop, both of the mean loss; accuracy(x, t) takes one-hot t and returns a fraction. "
    "Training script ch04/train_neuralnet.py: batch_size = 100 (np.random.choice), "
    "learning_rate = 0.5 (the learner raised the book's 0.1), iters_num = 10000."
)

FUNCTIONAL_NOTES = (
    "No loader function: the module top runs np.loadtxt('train.csv', delimiter=',', skiprows=1) "
    "(Kaggle digit recognizer: label then 784 pixels per row), shuffles, and keeps X_dev/X_train "
    "as columns (784, m) scaled by 1/255 and Y_dev/Y_train as int labels (m,). 784-32-10, ReLU, "
    "softmax, cross-entropy whose gradients are means over the batch (1 / m); full-batch gradient "
    "descent: gradient_descent(X_train, Y_train, 0.10, 500) (α = 0.10, 500 iterations). "
    "forward_prop(W1, b1, W2, b2, X) returns Z1, A1, Z2, A2; backward_prop(Z1, A1, Z2, A2, W1, W2, "
    "X, Y) takes int labels and returns dW1, db1, dW2, db2; update_params(..., alpha) returns new "
    "arrays; test_accuracy(X, Y, W1, b1, W2, b2) and get_accuracy return fractions."
)

COURSERA_NOTES = (
    "mnist_utils.load_dataset() gunzips datasets/*-idx?-ubyte.gz and returns train_x (784, m) "
    "in [0, 1], train_y one-hot (10, m), test_x (784, m_test), test_y int labels (1, m_test). "
    "parameters dict 'W1'..'W3', 'b1'..'b3' (n, 1) for layers_dims = [784, 32, 16, 10]: ReLU "
    "hidden, softmax output, cost −1/m Σ Y log(AL + 1e-8); L_model_forward(X, parameters) -> AL, "
    "caches; L_model_backward(AL, Y, caches) -> grads 'dW1'..., means over the batch; "
    "update_parameters(parameters, grads, learning_rate) writes into the dict and returns it; "
    "random_mini_batches(X, Y, mini_batch_size, seed) makes one epoch's batches. Training call: "
    "L_layer_model(train_x, train_y, layers_dims, learning_rate=0.1, num_epochs=10, "
    "mini_batch_size=64). predict(X, y, parameters) returns a fraction."
)

NNFS_NOTES = (
    "mnist_data.create_data_mnist('mnist') reads the raw IDX files from mnist/ and returns X "
    "(60000, 784) float32 scaled to [0, 1], y int labels (60000,), X_test, y_test. Layer objects "
    "at module level: dense1 = Layer_Dense(784, 32), activation1 = Activation_ReLU(), dense2 = "
    "Layer_Dense(32, 10), loss_activation (softmax + mean categorical cross-entropy), optimizer = "
    "Optimizer_SGD(learning_rate=0.5, decay=1e-2); weights (n_in, n_out), biases (1, n_out); "
    "backward() sets .dweights/.dbiases (already means: the loss divides by the batch). "
    "forward(X, y) returns the loss; train_step(X, y) does one update; evaluate(X, y) returns a "
    "fraction. The module-level loop: EPOCHS = 5, BATCH_SIZE = 128, reshuffled every epoch."
)

RASHID_NOTES = (
    "No loader function: the module reads mnist_dataset/mnist_train.csv and mnist_test.csv lines "
    "(label, 784 pixels); inputs = pixels / 255 · 0.99 + 0.01 as a 1-D list, targets 0.01 "
    "everywhere and 0.99 at the label. neuralNetwork(784, 32, 10, 0.1): wih (32, 784), who (10, "
    "32), no biases, sigmoid; train(inputs_list, targets_list) turns them into columns and updates "
    "in place (per example, learning rate self.lr = 0.1, += lr · error terms), returns None; "
    "query(inputs_list) returns the (10, 1) output. epochs = 2; evaluation is the module-level "
    "scorecard loop. The implied cost is ½‖t − o‖² per example."
)

GLOBALS_NOTES = (
    "load_data.get_mnist() reads the raw IDX files from ~/datasets/mnist and returns (train, "
    "test): lists of (x (784,) float64 in [0, 1], int label). Module-level globals: W1 (16, 784), "
    "W2 (16, 16), W3 (16, 16), W4 (10, 16), 1-D biases b1..b4; 784-16-16-16-10 sigmoid; the "
    "activations a0..a4 and z1..z4 of the last forward pass are globals. Cost Σ(a − y)² (no ½), "
    "online SGD: forward(x) returns nothing, backprop(y) returns [dW1, db1, ..., dW4, db4] from "
    "the stored activations, update(grads, eta) rebinds the globals, train_step(x, label, eta) "
    "does one example, accuracy(data) returns a fraction. Training call: train(train_data, 5, 1.0) "
    "(5 epochs, η = 1.0); weights start as plain np.random.randn."
)

SCRIPT_NOTES = (
    "No functions at all. The script lists ./trainingDigits and reads each 32×32 text file into X "
    "(m, 1024) float of 0/1, labels int (m,) from '<digit>_<n>.txt', Y one-hot (m, 10); "
    "1024-32-10 sigmoid network as globals W1 (1024, 32), b1 (32,), W2 (32, 10), b2 (10,); "
    "cost mean over examples of Σ(out − Y)²; 300 epochs of full-batch gradient descent with "
    "lr = 2.0, printing epoch, loss and training accuracy every 20 epochs."
)


def _planted(path, base, style, data, layout, notes, bug, target=None):
    """A copy of the correct program `base` with the one bug `bug`."""
    return Case(path=path, target=target, style=style, data=data, layout=layout,
                layout_notes=notes, bugs=(bug,), fixed=base)


CASES += [
    # Nielsen network2.py: cross-entropy cost object, L2
    Case(path="nielsen2/network2.py", target="Network", style="nielsen2", data="mnist",
         layout="columns", layout_notes=NIELSEN2_NOTES),
    _planted("nielsen2/network2_sigma_of_a.py", "nielsen2/network2.py", "nielsen2", "mnist",
             "columns", NIELSEN2_NOTES,
             Bug("gradients", ("backprop", "self.weights[0]"),
                 "sp = sigmoid_prime(activations[-l])",
                 "The hidden layer's δ multiplies by σ′(a) = σ′(σ(z)) instead of σ′(z): "
                 "sigmoid_prime already applies σ, so it must be given z, not the activation.",
                 at=True),
             target="Network"),
    _planted("nielsen2/network2_shuffle.py", "nielsen2/network2.py", "nielsen2", "mnist",
             "columns", NIELSEN2_NOTES,
             Bug("minibatches", ("SGD",), "training_data = random.shuffle(training_data)",
                 "random.shuffle shuffles the list in place and returns None, so assigning its "
                 "result replaces the training data with None and the mini-batches cannot be "
                 "made.", at=True),
             target="Network"),
    _planted("nielsen2/network2_eta_not_over_m.py", "nielsen2/network2.py", "nielsen2", "mnist",
             "columns", NIELSEN2_NOTES,
             Bug("update", ("update_mini_batch", "self.weights[0]"), "w-eta*nw",
                 "nabla_w is a sum over the mini-batch, so the weight step must be "
                 "eta/len(mini_batch) times it; without the division the weights move "
                 "len(mini_batch) times too far (the biases still use eta/len(mini_batch)).",
                 at=True),
             target="Network"),
    # DLFS chapter 4: sigmoid TwoLayerNet with numerical_gradient
    Case(path="dlfs4/ch04/two_layer_net.py", target="TwoLayerNet", style="dlfs4", data="mnist",
         layout="rows", layout_notes=DLFS4_NOTES),
    _planted("dlfs4/ch04/two_layer_net_no_batch_mean.py", "dlfs4/ch04/two_layer_net.py", "dlfs4",
             "mnist", "rows", DLFS4_NOTES,
             Bug("gradients", ("gradient", "params['W1']"), "dy = y - t",
                 "loss() is the mean cross-entropy over the batch, so its gradient at the softmax "
                 "input is (y − t) / batch_num; without the division every gradient is "
                 "batch_num times too large.", at=True),
             target="TwoLayerNet"),
    _planted("dlfs4/ch04/two_layer_net_bias_wrong_axis.py", "dlfs4/ch04/two_layer_net.py",
             "dlfs4", "mnist", "rows", DLFS4_NOTES,
             Bug("gradients", ("gradient", "params['b1']"), "grads['b1'] = np.sum(da1, axis=1)",
                 "The bias gradient must sum δ over the batch (axis 0, one entry per hidden "
                 "neuron); summing over axis 1 adds up the neurons instead and gives one number "
                 "per example, the wrong shape for b1.", at=True),
             target="TwoLayerNet"),
    # the functional full-batch tutorial style
    Case(path="functional/mnist_nn.py", target=None, style="functional", data="mnist",
         layout="columns", layout_notes=FUNCTIONAL_NOTES,
         bugs=(Bug("learning", ("backward_prop", "one_hot"),
                   "one_hot_Y = np.zeros((Y.size, Y.max() + 1))",
                   "one_hot(Y) makes Y.max() + 1 columns, so a mini-batch without a 9 gets fewer "
                   "rows than the network has outputs and A2 - one_hot_Y cannot broadcast; the "
                   "video's full batch of 41,000 images always holds a 9, mini-batches do not "
                   "(the tutorial's own inherited bug, found by the checker: the learning "
                   "check, run on full batches as the program trains, names it as a caution).",
                   caution=True),),
         fixed="functional/mnist_nn_fixed.py"),
    Case(path="functional/mnist_nn_fixed.py", target=None, style="functional", data="mnist",
         layout="columns", layout_notes=FUNCTIONAL_NOTES),
    _planted("functional/mnist_nn_scalar_db.py", "functional/mnist_nn_fixed.py", "functional",
             "mnist", "columns", FUNCTIONAL_NOTES,
             Bug("gradients", ("backward_prop", "b1", "b2"), "db1 = 1 / m * np.sum(dZ1)",
                 "np.sum(dZ) without axis=1 adds up every neuron and every example into one "
                 "number, so each bias moves by the same amount; the bias gradient is the sum "
                 "over the examples only, one entry per neuron (axis=1, keepdims=True)."),
             ),
    _planted("functional/mnist_nn_train_labels.py", "functional/mnist_nn_fixed.py", "functional",
             "mnist", "columns", FUNCTIONAL_NOTES,
             Bug("evaluation", ("test_accuracy",), "get_accuracy(dev_predictions, Y_train)",
                 "test_accuracy compares the predictions for X with the global training labels "
                 "Y_train instead of its own argument Y, so the figure it reports is not the "
                 "accuracy on the data it was given.", at=True),
             ),
    # deeplearning.ai / Coursera dict of parameters with caches
    Case(path="coursera/dnn_app.py", target=None, style="coursera", data="mnist",
         layout="columns", layout_notes=COURSERA_NOTES),
    _planted("coursera/dnn_app_overlapping_batches.py", "coursera/dnn_app.py", "coursera",
             "mnist", "columns", COURSERA_NOTES,
             Bug("minibatches", (), "shuffled_X[:, k:k + mini_batch_size]",
                 "The k-th mini-batch starts at column k instead of k * mini_batch_size, so the "
                 "batches overlap almost entirely and one epoch sees only about "
                 "m / mini_batch_size + mini_batch_size distinct examples.", at=True),
             ),
    _planted("coursera/dnn_app_return_in_loop.py", "coursera/dnn_app.py", "coursera", "mnist",
             "columns", COURSERA_NOTES,
             Bug("update", ("update_parameters", "W2"), "        return parameters",
                 "`return parameters` is indented into the for loop, so update_parameters "
                 "returns after updating W1 and b1 and the later layers never learn.", at=True),
             ),
    _planted("coursera/dnn_app_dZL_sign.py", "coursera/dnn_app.py", "coursera", "mnist",
             "columns", COURSERA_NOTES,
             Bug("gradients", ("L_model_backward", "b3", "exactly -1×"), "dZL = Y - AL",
                 "The output layer's dZ is written Y − AL instead of AL − Y, so every gradient "
                 "has the wrong sign; update_parameters, which subtracts them as it should, "
                 "then climbs the cost.", at=True),
             ),
    # Neural Networks from Scratch layer objects
    Case(path="nnfs/nnfs_mnist.py", target=None, style="nnfs", data="mnist", layout="rows",
         layout_notes=NNFS_NOTES),
    _planted("nnfs/nnfs_mnist_decay_per_layer.py", "nnfs/nnfs_mnist.py", "nnfs", "mnist", "rows",
             NNFS_NOTES,
             Bug("update", ("dense2.weights",), "self.iterations += 1",
                 "The decay counter is advanced inside update_params, once per layer, instead of "
                 "once per step in post_update_params: within one step dense2 gets a smaller "
                 "learning rate than dense1, and the rate decays twice as fast as intended.",
                 at=True),
             ),
    _planted("nnfs/nnfs_mnist_cached_eval.py", "nnfs/nnfs_mnist.py", "nnfs", "mnist", "rows",
             NNFS_NOTES,
             Bug("evaluation", ("evaluate",), "np.argmax(loss_activation.output, axis=1)",
                 "evaluate() reads loss_activation.output left over from the last training "
                 "batch without running the forward pass on X, so it scores old predictions "
                 "against the new labels.", at=True),
             ),
    # Rashid, Make Your Own Neural Network: the book's own rule
    Case(path="rashid/neural_network.py", target="neuralNetwork", style="rashid", data="mnist",
         layout="columns", layout_notes=RASHID_NOTES,
         bugs=(Bug("book", ("train", "self.wih"),
                   "hidden_errors = numpy.dot(self.who.T, output_errors)",
                   "The book backpropagates the output error (t − o) through whoᵀ without the "
                   "output sigmoid's slope o(1 − o); the gradient of ½‖t − o‖² needs it, so the "
                   "wih update is the book's rule, not gradient descent on its cost (who is "
                   "exact).", at=True),),
         fixed="rashid/neural_network_fixed.py"),
    Case(path="rashid/neural_network_fixed.py", target="neuralNetwork", style="rashid",
         data="mnist", layout="columns", layout_notes=RASHID_NOTES),
    # a 3Blue1Brown-style script of module-level globals, online SGD
    Case(path="globals3b1b/digits.py", target=None, style="3b1b", data="mnist",
         layout="columns", layout_notes=GLOBALS_NOTES),
    _planted("globals3b1b/digits_transposed_dw2.py", "globals3b1b/digits.py", "3b1b", "mnist",
             "columns", GLOBALS_NOTES,
             Bug("gradients", ("backprop", "W2"), "dW2 = np.outer(a1, d2)",
                 "∂C/∂W2 is δ2·a1ᵀ = np.outer(d2, a1); np.outer(a1, d2) is its transpose, which "
                 "has the same (16, 16) shape, so nothing fails but W2 moves the wrong way.",
                 at=True),
             ),
    _planted("globals3b1b/digits_wrong_layer_w.py", "globals3b1b/digits.py", "3b1b", "mnist",
             "columns", GLOBALS_NOTES,
             Bug("gradients", ("backprop", "W1"), "d1 = (W3.T @ d2) * sigmoid_prime(z1)",
                 "BP2 carries δ2 back through the weights that produced z2, so d1 needs W2ᵀ·d2; "
                 "the copied line still uses W3, which has the same shape, so W1 and b1 get "
                 "wrong gradients.", at=True),
             ),
    _planted("globals3b1b/digits_stale_activations.py", "globals3b1b/digits.py", "3b1b",
             "mnist", "columns", GLOBALS_NOTES,
             Bug("update", ("train_step",), "grads = backprop(y)",
                 "train_step runs backprop and the update before forward(x), so the gradient "
                 "is computed from the activations of the previous example (stale globals) "
                 "with this example's label."),
             ),
    # a plain top-level script, no functions
    Case(path="script/train.py", target=None, style="script", data="digits32", layout="rows",
         layout_notes=SCRIPT_NOTES),
    _planted("script/train_sign_flipped.py", "script/train.py", "script", "digits32", "rows",
             SCRIPT_NOTES,
             Bug("gradients", ("b2", "sign is flipped"),
                 "d_out = 2 * (Y - out) / m * out * (1 - out)",
                 "The error is written as wanted − got, which is minus ∂C/∂out, and the update "
                 "still subtracts it: every step climbs the cost instead of descending it.",
                 at=True),
             ),
]

# the folders whose programs no recognizer knows: each holds the learner's adapter.py, the few
# lines that tell the checker where the parameters live and which functions to call
ADAPTED = ("seed000", "seed000_fixed", "seed003", "functional", "coursera", "nnfs", "rashid",
           "globals3b1b")
CASES = [replace(c, adapter=f"{c.path.split('/')[0]}/adapter.py")
         if c.path.split("/")[0] in ADAPTED else c for c in CASES]
