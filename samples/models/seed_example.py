# The seed's worked example: a 32×32×3 input, 10 filters of 5×5, stride 1, zero padding 2
# → W2 = (32 − 5 + 2·2)/1 + 1 = 32, so the output is 32×32×10.
# Keras has no numeric `padding=` on Conv2D: the zero padding is a ZeroPadding2D layer in front.
# Try: npx tsx src/cli.ts describe samples/models/seed_example.py
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    layers.ZeroPadding2D(padding=2),
    layers.Conv2D(10, (5, 5), strides=1, activation="relu"),
    layers.MaxPooling2D(pool_size=2),
    layers.Conv2D(20, 3, padding="same", activation="relu"),
    layers.GlobalAveragePooling2D(),
    layers.Dense(10, activation="softmax"),
], name="seed_example")
