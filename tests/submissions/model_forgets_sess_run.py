# model() trains and prints the right costs, but returns the tf.Variables
# (the learner forgot `parameters = sess.run(parameters)`).
import numpy as np
import tensorflow as tf
from tensorflow.python.framework import ops
from tf_utils import random_mini_batches


def model(X_train, Y_train, X_test, Y_test, learning_rate = 0.0001,
          num_epochs = 1500, minibatch_size = 32, print_cost = True):
    ops.reset_default_graph()
    tf.set_random_seed(1)
    seed = 3
    (n_x, m) = X_train.shape
    n_y = Y_train.shape[0]
    X = tf.placeholder(tf.float32, [n_x, None], name = "X")
    Y = tf.placeholder(tf.float32, [n_y, None], name = "Y")
    parameters = {}
    for l, (n_out, n_in) in enumerate([(25, n_x), (12, 25), (n_y, 12)], start = 1):
        parameters["W" + str(l)] = tf.get_variable("W" + str(l), [n_out, n_in], initializer = tf.contrib.layers.xavier_initializer(seed = 1))
        parameters["b" + str(l)] = tf.get_variable("b" + str(l), [n_out, 1], initializer = tf.zeros_initializer())
    A1 = tf.nn.relu(tf.add(tf.matmul(parameters["W1"], X), parameters["b1"]))
    A2 = tf.nn.relu(tf.add(tf.matmul(parameters["W2"], A1), parameters["b2"]))
    Z3 = tf.add(tf.matmul(parameters["W3"], A2), parameters["b3"])
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits = tf.transpose(Z3), labels = tf.transpose(Y)))
    optimizer = tf.train.AdamOptimizer(learning_rate = learning_rate).minimize(cost)
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        for epoch in range(num_epochs):
            epoch_cost = 0.
            num_minibatches = int(m / minibatch_size)
            seed = seed + 1
            for (minibatch_X, minibatch_Y) in random_mini_batches(X_train, Y_train, minibatch_size, seed):
                _ , minibatch_cost = sess.run([optimizer, cost], feed_dict={X: minibatch_X, Y: minibatch_Y})
                epoch_cost += minibatch_cost / num_minibatches
            if print_cost == True and epoch % 100 == 0:
                print ("Cost after epoch %i: %f" % (epoch, epoch_cost))
        print ("Parameters have been trained!")
        return parameters
