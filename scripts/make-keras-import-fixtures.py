"""Writes the fixtures of test/unit/kerasImport.test.ts: small models saved by Keras itself.

Run with the bench venv (TensorFlow 2.21, Keras 3.15, tf_keras 2.21):
    .cache/bench-venv/bin/python scripts/make-keras-import-fixtures.py

Each model is built the way the exported train.py builds one (a base model called as a layer
inside the classifier, a GAP + Dense head) from the layer classes CNN Lab's Keras export writes,
with random weights and non-trivial BatchNormalization statistics, so a wrong weight order shows;
a RandomFlip in front (the identity at inference) and optimizer state saved with it, as train.py's.
Writes, in test/fixtures/keras-import/:
  tiny.keras (Keras 3), tiny.h5 (Keras 2 / tf_keras), tiny.labels.json beside each as train.py
  writes it, tiny.png (a 16x16 lossless image: decoded to the same pixels by TensorFlow and by
  sharp, so `cnn-lab predict` can be held to Keras' numbers), expected.json (input pixels and the
  probabilities Keras computed for both files, on those pixels and on tiny.png),
  unsupported.keras (a LayerNormalization, which CNN Lab refuses by name).
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "keras-import")
H, W = 16, 16
LABELS = ["cat", "dog", "fox"]


def build(keras):
    L = keras.layers
    inp = L.Input((H, W, 3), name="base_input")
    x = L.Rescaling(1.0 / 127.5, offset=-1.0, name="base_rescale")(inp)
    x = L.ZeroPadding2D(((0, 1), (0, 1)), name="pad")(x)
    x = L.Conv2D(8, 3, strides=2, padding="valid", use_bias=False, name="conv1")(x)
    x = L.BatchNormalization(name="bn1")(x)
    x = L.ReLU(6.0, name="relu1")(x)
    d = L.DepthwiseConv2D(3, padding="same", name="dw")(x)
    d = L.BatchNormalization(name="bn_dw")(d)
    d = L.Activation("relu", name="act_dw")(d)
    s = L.SeparableConv2D(8, 3, padding="same", name="sep")(x)
    a = L.Add(name="add")([d, s])
    m = L.Multiply(name="mul")([a, L.Activation("sigmoid", name="gate")(x)])
    c = L.Concatenate(name="cat")([m, x])
    c = L.MaxPooling2D(2, name="maxpool")(c)
    c = L.AveragePooling2D(1, name="avgpool")(c)
    base = keras.Model(inp, c, name="tiny_base")

    inputs = L.Input((H, W, 3), name="image")
    # augmentation inside the model: the identity at inference, which CNN Lab drops
    y = L.RandomFlip("horizontal", seed=3, name="flip")(inputs)
    y = base(y, training=False)
    y = L.GlobalAveragePooling2D(name="cnnlab_gap")(y)
    y = L.Dropout(0.2, name="drop")(y)
    y = L.Reshape((1, 16), name="reshape")(y)
    y = L.Flatten(name="flat")(y)
    y = L.Dense(6, activation="relu", name="cnnlab_fc")(y)
    out = L.Dense(len(LABELS), activation="softmax", name="cnnlab_predictions")(y)
    return keras.Model(inputs, out, name="cnnlab_classifier")


def randomize(model, seed):
    rng = np.random.default_rng(seed)
    for w in model.weights:
        shape = tuple(w.shape)
        if "moving_variance" in w.name:
            v = rng.uniform(0.5, 2.0, shape)
        else:
            v = rng.normal(0.0, 0.5, shape)
        w.assign(v.astype("float32"))


def save_and_predict(module, name, seed, pixels, decoded, expected):
    """Builds the model with `module` (keras or tf_keras), saves it as `name`, records what it predicts."""
    model = build(module)
    # one SGD step first, as train.py's fit does: the saved file then holds optimizer variables too
    model.compile(optimizer=module.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    model.train_on_batch(pixels, np.array([0, 1]))
    randomize(model, seed)
    model.save(os.path.join(OUT, name))
    expected["outputs"][name] = model.predict(pixels, verbose=0).tolist()
    expected["png"][name] = model.predict(decoded, verbose=0)[0].tolist()


def meta():
    return {"inputSize": [H, W], "preprocessing": "0..255", "preprocessingPython": "x", "resize": "stretch", "labels": LABELS, "base": "tiny", "exportedBy": "make-keras-import-fixtures.py"}


def main():
    os.makedirs(OUT, exist_ok=True)
    pixels = np.random.default_rng(7).uniform(0, 255, (2, H, W, 3)).astype("float32")
    expected = {"input": {"shape": list(pixels.shape), "values": [float(v) for v in pixels.ravel()]}, "outputs": {}}

    import tensorflow as tf
    png = np.random.default_rng(11).integers(0, 256, (H, W, 3), dtype=np.uint8)
    tf.io.write_file(os.path.join(OUT, "tiny.png"), tf.io.encode_png(png))
    decoded = tf.cast(tf.io.decode_png(tf.io.read_file(os.path.join(OUT, "tiny.png")), channels=3), tf.float32)[None]
    expected["png"] = {}

    import keras
    save_and_predict(keras, "tiny.keras", 1, pixels, decoded.numpy(), expected)
    expected["keras3"] = keras.__version__

    L = keras.layers
    inp = L.Input((H, W, 3), name="image")
    bad = keras.Model(inp, L.Dense(2, name="head")(L.GlobalAveragePooling2D(name="gap")(L.LayerNormalization(name="norm")(inp))), name="bad")
    bad.save(os.path.join(OUT, "unsupported.keras"))

    import tf_keras
    save_and_predict(tf_keras, "tiny.h5", 2, pixels, decoded.numpy(), expected)
    expected["keras2"] = tf_keras.__version__

    # as train.py writes it: beside the model, one file for both since they share the stem
    with open(os.path.join(OUT, "tiny.labels.json"), "w", encoding="utf-8") as f:
        json.dump(meta(), f, indent=2)
    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f)
    print("wrote", sorted(os.listdir(OUT)), file=sys.stderr)


main()
