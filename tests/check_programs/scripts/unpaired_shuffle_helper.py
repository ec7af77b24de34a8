import gzip

import numpy as np


# ----- data -----
def read_images(name, n):
    with gzip.open('mnist/' + name) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:n]
        return images.astype(np.float32) / 255.0

def read_labels(name, n):
    with gzip.open('mnist/' + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=8)[:n]

X_train = read_images('train-images-idx3-ubyte.gz', 10000)
Y_train = np.eye(10)[read_labels('train-labels-idx1-ubyte.gz', 10000)]
X_test = read_images('t10k-images-idx3-ubyte.gz', 2000)
y_test = read_labels('t10k-labels-idx1-ubyte.gz', 2000)

# ----- model: 784 -> 100 (relu) -> 10 (softmax) -----
layer_sizes = [784, 100, 10]
np.random.seed(12)
weights = []
biases = []
for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
    weights.append(np.random.randn(fan_in, fan_out) * np.sqrt(2 / fan_in))
    biases.append(np.zeros((1, fan_out)))

def relu(x):
    return np.maximum(x, 0)

def softmax(x):
    ex = np.exp(x - np.max(x, axis=1, keepdims=True))
    return ex / np.sum(ex, axis=1, keepdims=True)

def forward(x):
    acts = [x]
    for i in range(len(weights)):
        z = acts[-1] @ weights[i] + biases[i]
        acts.append(softmax(z) if i == len(weights) - 1 else relu(z))
    return acts

alpha = 0.1
batch = 64
epochs = 2

for ep in range(epochs):
    # shuffle the training set every epoch
    np.random.shuffle(X_train)
    np.random.shuffle(Y_train)

    losses = []
    for i in range(0, len(X_train), batch):
        xb = X_train[i:i + batch]
        yb = Y_train[i:i + batch]
        acts = forward(xb)
        probs = acts[-1]
        losses.append(-np.mean(np.sum(yb * np.log(probs + 1e-9), axis=1)))

        grad = (probs - yb) / len(xb)
        dW = [None] * len(weights)
        db = [None] * len(biases)
        for j in reversed(range(len(weights))):
            dW[j] = acts[j].T @ grad
            db[j] = grad.sum(axis=0, keepdims=True)
            if j > 0:
                grad = (grad @ weights[j].T) * (acts[j] > 0)
        for j in range(len(weights)):
            weights[j] -= alpha * dW[j]
            biases[j] -= alpha * db[j]

    pred = np.argmax(forward(X_test)[-1], axis=1)
    print(f'epoch {ep + 1}  loss {np.mean(losses):.4f}  test acc {np.mean(pred == y_test):.4f}')
