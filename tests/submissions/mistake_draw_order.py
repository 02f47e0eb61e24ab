import numpy as np
import tensorflow as tf


# GRADED FUNCTION: linear_function

def linear_function():
    np.random.seed(1)
    
    ### START CODE HERE ### (4 lines of code)
    W = tf.constant(np.random.randn(4,3), name = "W")
    X = tf.constant(np.random.randn(3,1), name = "X")
    b = tf.constant(np.random.randn(4,1), name = "b")
    Y = tf.add(tf.matmul(W,X),b)
    ### END CODE HERE ### 
    
    sess = tf.Session()
    result = sess.run(Y)
    sess.close()

    return result
