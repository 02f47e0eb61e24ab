"""The notebook's own training code, ported to tf.compat.v1 as directly as possible.

This is the speed baseline of `bench/speed.py`: float64 arrays, the course's
`random_mini_batches` column shuffle every epoch, one `feed_dict` and one
`session.run` per minibatch. Only what today's TensorFlow requires changed:
`tf.` became `tf.compat.v1.`, `ops.reset_default_graph()` became a fresh
`tf.Graph()` (eager stays on), and `plt.show()` is gone.
"""
import math

import numpy as np

from tfsigns._tf import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    m = X.shape[1]
    mini_batches = []
    np.random.seed(seed)
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((Y.shape[0], m))
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size : k * mini_batch_size + mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size : k * mini_batch_size + mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size : m]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size : m]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    return mini_batches


def create_placeholders(n_x, n_y):
    X = v1.placeholder(tf.float32, [n_x, None], name="X")
    Y = v1.placeholder(tf.float32, [n_y, None], name="Y")
    return X, Y


def initialize_parameters():
    v1.set_random_seed(1)
    W1 = v1.get_variable("W1", [25, 12288], initializer=v1.glorot_uniform_initializer(seed=1))
    b1 = v1.get_variable("b1", [25, 1], initializer=v1.zeros_initializer())
    W2 = v1.get_variable("W2", [12, 25], initializer=v1.glorot_uniform_initializer(seed=1))
    b2 = v1.get_variable("b2", [12, 1], initializer=v1.zeros_initializer())
    W3 = v1.get_variable("W3", [6, 12], initializer=v1.glorot_uniform_initializer(seed=1))
    b3 = v1.get_variable("b3", [6, 1], initializer=v1.zeros_initializer())
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}


def forward_propagation(X, parameters):
    Z1 = tf.add(tf.matmul(parameters["W1"], X), parameters["b1"])
    A1 = tf.nn.relu(Z1)
    Z2 = tf.add(tf.matmul(parameters["W2"], A1), parameters["b2"])
    A2 = tf.nn.relu(Z2)
    Z3 = tf.add(tf.matmul(parameters["W3"], A2), parameters["b3"])
    return Z3


def compute_cost(Z3, Y):
    logits = tf.transpose(Z3)
    labels = tf.transpose(Y)
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))


def model(X_train, Y_train, X_test, Y_test, learning_rate=0.0001, num_epochs=1500, minibatch_size=32, print_cost=True):
    """The notebook's model(); returns (parameters, the cost of every epoch)."""
    epoch_costs = []
    with tf.Graph().as_default():
        v1.set_random_seed(1)
        seed = 3
        (n_x, m) = X_train.shape
        n_y = Y_train.shape[0]
        costs = []
        X, Y = create_placeholders(n_x, n_y)
        parameters = initialize_parameters()
        Z3 = forward_propagation(X, parameters)
        cost = compute_cost(Z3, Y)
        optimizer = v1.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost)
        init = v1.global_variables_initializer()
        with v1.Session() as sess:
            sess.run(init)
            for epoch in range(num_epochs):
                epoch_cost = 0.0
                num_minibatches = int(m / minibatch_size)
                seed = seed + 1
                minibatches = random_mini_batches(X_train, Y_train, minibatch_size, seed)
                for minibatch in minibatches:
                    (minibatch_X, minibatch_Y) = minibatch
                    _, minibatch_cost = sess.run([optimizer, cost], feed_dict={X: minibatch_X, Y: minibatch_Y})
                    # float(): NumPy 2 would otherwise sum in float32 (REFERENCE.md pitfalls).
                    epoch_cost += float(minibatch_cost) / num_minibatches
                epoch_costs.append(epoch_cost)
                if print_cost and epoch % 100 == 0:
                    print("Cost after epoch %i: %f" % (epoch, epoch_cost))
                if print_cost and epoch % 5 == 0:
                    costs.append(epoch_cost)
            parameters = sess.run(parameters)
    return parameters, epoch_costs
