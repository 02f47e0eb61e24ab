import numpy as np
import tensorflow as tf


# GRADED FUNCTION: one_hot_matrix

def one_hot_matrix(labels, C):
    ### START CODE HERE ###
    C = tf.constant(C, name = "C")
    one_hot_matrix = tf.one_hot(labels, C)
    sess = tf.Session()
    one_hot = sess.run(one_hot_matrix)
    sess.close()
    ### END CODE HERE ###
    
    return one_hot
