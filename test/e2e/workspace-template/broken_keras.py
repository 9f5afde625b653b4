# The second convolution's 5x5 window does not fit the 3x3 map left by the pooling layer.
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(8, 8, 1)),
    layers.Conv2D(4, kernel_size=3, activation="relu"),
    layers.MaxPooling2D(pool_size=2),
    layers.Conv2D(8, kernel_size=5, activation="relu"),
    layers.Flatten(),
    layers.Dense(2, activation="softmax"),
])
