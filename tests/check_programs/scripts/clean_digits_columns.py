# 32x32 text digits (trainingDigits/ and testDigits/), examples as columns
# 1024 -> 32 tanh -> 10 sigmoid, squared error, full batch
import os

import numpy as np

sets = {}
for folder in ['trainingDigits', 'testDigits']:
    files = os.listdir(folder)
    data = np.zeros((1024, len(files)))       # one column per digit
    labs = np.zeros(len(files), dtype=int)
    for j, name in enumerate(files):
        labs[j] = int(name.split('_')[0])
        fr = open(os.path.join(folder, name))
        for row in range(32):
            line = fr.readline().strip()
            for col in range(32):
                data[row * 32 + col, j] = int(line[col])
        fr.close()
    sets[folder] = (data, labs)

X, labels = sets['trainingDigits']
X_test, test_labels = sets['testDigits']
m = X.shape[1]
T = np.zeros((10, m))
T[labels, np.arange(m)] = 1      # targets

np.random.seed(5)
w_ih = np.random.normal(0.0, 1 / np.sqrt(1024), (32, 1024))
b_h = np.zeros((32, 1))
w_ho = np.random.normal(0.0, 1 / np.sqrt(32), (10, 32))
b_o = np.zeros((10, 1))
alpha = 2.0

for epoch in range(300):
    hidden = np.tanh(w_ih @ X + b_h)
    output = 1 / (1 + np.exp(-(w_ho @ hidden + b_o)))

    # E = 1/(2m) * sum (output - target)^2
    E = np.sum((output - T) ** 2) / (2 * m)

    output_delta = (output - T) * output * (1 - output)
    hidden_delta = (w_ho.T @ output_delta) * (1 - hidden ** 2)

    dw_ho = output_delta @ hidden.T / m
    db_o = output_delta.sum(axis=1, keepdims=True) / m
    dw_ih = hidden_delta @ X.T / m
    db_h = hidden_delta.sum(axis=1, keepdims=True) / m

    w_ho = w_ho - alpha * dw_ho
    b_o = b_o - alpha * db_o
    w_ih = w_ih - alpha * dw_ih
    b_h = b_h - alpha * db_h

    if epoch % 30 == 0 or epoch == 299:
        test_out = w_ho @ np.tanh(w_ih @ X_test + b_h) + b_o
        test_acc = np.mean(test_out.argmax(axis=0) == test_labels)
        print('epoch', epoch, 'error', E, 'test accuracy', test_acc)
