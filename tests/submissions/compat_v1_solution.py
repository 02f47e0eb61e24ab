"""TensorFlow Tutorial (SIGNS), ported to TensorFlow 2 with tf.compat.v1 spelled out.

The same graph-and-session code as the 2018 notebook; each function that runs
something builds its own graph, so the file also works with eager execution on.
"""
import numpy as np
import tensorflow as tf
from tfsigns.tf_utils import random_mini_batches

v1 = tf.compat.v1
v1.disable_eager_execution()

N_CLASSES = 6
LAYERS = ((25, 12288), (12, 25), (6, 12))


def linear_function():
    np.random.seed(1)
    with tf.Graph().as_default():
        X = tf.constant(np.random.randn(3, 1), name="X")
        W = tf.constant(np.random.randn(4, 3), name="W")
        b = tf.constant(np.random.randn(4, 1), name="b")
        Y = tf.add(tf.matmul(W, X), b)
        with v1.Session() as session:
            return session.run(Y)


def sigmoid(z):
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, name="x")
        with v1.Session() as session:
            return session.run(tf.sigmoid(x), feed_dict={x: z})


def cost(logits, labels):
    with tf.Graph().as_default():
        z = v1.placeholder(tf.float32, name="z")
        y = v1.placeholder(tf.float32, name="y")
        loss = tf.nn.sigmoid_cross_entropy_with_logits(logits=z, labels=y)
        with v1.Session() as session:
            return session.run(loss, feed_dict={z: logits, y: labels})


def one_hot_matrix(labels, C):
    with tf.Graph().as_default():
        one_hot = tf.one_hot(labels, tf.constant(C, name="C"), axis=0)
        with v1.Session() as session:
            return session.run(one_hot)


def ones(shape):
    with tf.Graph().as_default():
        with v1.Session() as session:
            return session.run(tf.ones(shape))


def create_placeholders(n_x, n_y):
    X = v1.placeholder(tf.float32, shape=[n_x, None], name="X")
    Y = v1.placeholder(tf.float32, shape=[n_y, None], name="Y")
    return X, Y


def initialize_parameters():
    v1.set_random_seed(1)
    xavier = v1.glorot_uniform_initializer(seed=1)
    parameters = {}
    for layer, shape in enumerate(LAYERS, start=1):
        parameters[f"W{layer}"] = v1.get_variable(f"W{layer}", list(shape), initializer=xavier)
        parameters[f"b{layer}"] = v1.get_variable(f"b{layer}", [shape[0], 1], initializer=v1.zeros_initializer())
    return parameters


def forward_propagation(X, parameters):
    A = X
    for layer in (1, 2):
        A = tf.nn.relu(tf.add(tf.matmul(parameters[f"W{layer}"], A), parameters[f"b{layer}"]))
    return tf.add(tf.matmul(parameters["W3"], A), parameters["b3"])


def compute_cost(Z3, Y):
    return tf.reduce_mean(
        tf.nn.softmax_cross_entropy_with_logits(logits=tf.transpose(Z3), labels=tf.transpose(Y))
    )


def model(X_train, Y_train, X_test, Y_test, learning_rate=0.0001,
          num_epochs=1500, minibatch_size=32, print_cost=True):
    n_x, m = X_train.shape
    n_y = Y_train.shape[0]
    costs = []
    seed = 3
    with tf.Graph().as_default():
        v1.set_random_seed(1)
        X, Y = create_placeholders(n_x, n_y)
        parameters = initialize_parameters()
        Z3 = forward_propagation(X, parameters)
        loss = compute_cost(Z3, Y)
        optimizer = v1.train.AdamOptimizer(learning_rate=learning_rate).minimize(loss)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(Z3), tf.argmax(Y)), tf.float32))
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            num_minibatches = int(m / minibatch_size)
            for epoch in range(num_epochs):
                seed += 1
                epoch_cost = 0.0
                for minibatch_X, minibatch_Y in random_mini_batches(X_train, Y_train, minibatch_size, seed):
                    _, minibatch_cost = session.run([optimizer, loss], feed_dict={X: minibatch_X, Y: minibatch_Y})
                    epoch_cost += float(minibatch_cost) / num_minibatches
                if print_cost and epoch % 100 == 0:
                    print("Cost after epoch %i: %f" % (epoch, epoch_cost))
                if epoch % 5 == 0:
                    costs.append(epoch_cost)
            trained = session.run(parameters)
            print("Train Accuracy:", session.run(accuracy, {X: X_train, Y: Y_train}))
            print("Test Accuracy:", session.run(accuracy, {X: X_test, Y: Y_test}))
    return trained


if __name__ == "__main__":
    from tfsigns.tf_utils import convert_to_one_hot, flatten_images, load_dataset

    X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes = load_dataset()
    parameters = model(
        flatten_images(X_train_orig), convert_to_one_hot(Y_train_orig, N_CLASSES),
        flatten_images(X_test_orig), convert_to_one_hot(Y_test_orig, N_CLASSES),
    )
