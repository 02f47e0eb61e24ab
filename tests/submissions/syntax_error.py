import numpy as np
import tensorflow as tf


# GRADED FUNCTION: sigmoid

def sigmoid(z):
    x = tf.placeholder(tf.float32, name = "x")
    sigmoid = tf.sigmoid(x)
    with tf.Session() as sess:
        result = sess.run(sigmoid, feed_dict = {x: z}
    return result
