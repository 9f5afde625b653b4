#!/usr/bin/env python3
"""Writes the topologies of the `keras:*` bases (assets/keras-topologies/*.json) and the small
Keras-written fixture of their unit tests (test/fixtures/keras-application/).

Run with the bench venv (bash bench/setup-keras.sh):
    .cache/bench-venv/bin/python scripts/generate-keras-topologies.py

Offline: every model is built with weights=None (nothing is downloaded). tf_keras (Keras 2) is
used because tfjs loads Keras-2 `model.to_json()` topologies; the layer names are the ones Keras
builds, which is what the `*_notop.h5` weight files are read against.

One translation, because tfjs has no Normalization layer: EfficientNet's in-model input scaling
`Rescaling(1/255) -> Normalization(mean, variance)` (+ `Rescaling(1/sqrt(std))`, which Keras adds
only when weights='imagenet') becomes `Rescaling(1/255) -> DepthwiseConv2D 1x1 named
"normalization"`; the engine fills that layer from the weight file's mean and variance and Keras'
IMAGENET_STDDEV_RGB (src/engine/models/kerasApplication.ts), so the network computes what Keras'
does and still takes raw 0..255 pixels.
"""
import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tf_keras  # noqa: E402
from tf_keras import applications as apps  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "assets", "keras-topologies")
FIXTURE = os.path.join(ROOT, "test", "fixtures", "keras-application")
# tf_keras/src/applications/efficientnet.py
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]

BASES = {
    "inception_v3": lambda: apps.InceptionV3(weights=None, include_top=False, input_shape=(299, 299, 3)),
    "mobilenet_v2": lambda: apps.MobileNetV2(weights=None, include_top=False, input_shape=(224, 224, 3)),
    "resnet50": lambda: apps.ResNet50(weights=None, include_top=False, input_shape=(224, 224, 3)),
    "efficientnet_b0": lambda: apps.EfficientNetB0(weights=None, include_top=False, input_shape=(224, 224, 3)),
    "vgg16": lambda: apps.VGG16(weights=None, include_top=False, input_shape=(224, 224, 3)),
}


def translate_normalization(topology):
    """Normalization (not in tfjs) -> a 1x1 DepthwiseConv2D of the same name (see the docstring)."""
    for layer in topology["config"]["layers"]:
        if layer["class_name"] != "Normalization":
            continue
        name = layer["config"]["name"]
        layer["class_name"] = "DepthwiseConv2D"
        layer["config"] = {
            "name": name,
            "trainable": False,
            "dtype": "float32",
            "kernel_size": [1, 1],
            "strides": [1, 1],
            "padding": "valid",
            "data_format": "channels_last",
            "dilation_rate": [1, 1],
            "depth_multiplier": 1,
            "activation": "linear",
            "use_bias": True,
            "depthwise_initializer": {"class_name": "Ones", "config": {}},
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            # read by the engine: fill from the h5's mean/variance, scaled as Keras does for 'imagenet'
            "cnnlab_translated_from": "Normalization",
        }
    return topology


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, build in BASES.items():
        model = build()
        topology = translate_normalization(json.loads(model.to_json()))
        write_json(os.path.join(OUT, f"{name}.json"), topology)
        print(name, len(model.layers), "layers", model.count_params(), "params", model.output_shape)
        tf_keras.backend.clear_session()

    # The test fixture: a small Keras application with random weights, saved the way the
    # `*_notop.h5` files are (Keras-2 h5 weights: root attr layer_names, per layer weight_names),
    # its topology, and Keras' own output for a fixed input (the engine must reproduce it).
    os.makedirs(FIXTURE, exist_ok=True)
    tf_keras.utils.set_random_seed(7)
    model = apps.MobileNetV2(alpha=0.35, input_shape=(96, 96, 3), weights=None, include_top=False)
    # BatchNormalization's moving statistics start at 0/1: randomize them too, so a weight landing
    # in the wrong slot changes the output
    rng = np.random.default_rng(7)
    for layer in model.layers:
        if isinstance(layer, tf_keras.layers.BatchNormalization):
            g, b, m, v = layer.get_weights()
            layer.set_weights([rng.uniform(0.5, 1.5, g.shape), rng.normal(0, 0.1, b.shape), rng.normal(0, 0.1, m.shape), rng.uniform(0.5, 1.5, v.shape)])
    h5 = os.path.join(FIXTURE, "mobilenet_v2_0.35_96_no_top.h5")
    model.save_weights(h5, save_format="h5")
    write_json(os.path.join(FIXTURE, "mobilenet_v2_0.35_96.json"), json.loads(model.to_json()))
    # a fixed input the test computes the same way: x[i] = ((i * 7919) % 255) / 127.5 - 1
    x = ((np.arange(96 * 96 * 3) * 7919) % 255 / 127.5 - 1).astype("float32").reshape(1, 96, 96, 3)
    y = model.predict(x, verbose=0)
    kernel = model.get_layer("block_16_project").get_weights()[0]
    write_json(
        os.path.join(FIXTURE, "expected.json"),
        {
            "outputShape": list(y.shape[1:]),
            # a slice of the output and its sums: enough to catch a weight in the wrong layer
            "outputFirst64": y.reshape(-1)[:64].tolist(),
            "outputSum": float(y.sum()),
            "outputAbsSum": float(np.abs(y).sum()),
            "block_16_project_kernel_shape": list(kernel.shape),
            "block_16_project_kernel_first8": kernel.reshape(-1)[:8].tolist(),
        },
    )
    print("fixture", h5, os.path.getsize(h5), "bytes; output", y.shape)
    tf_keras.backend.clear_session()

    # EfficientNet's input scaling, small: Rescaling -> Normalization -> Conv2D. Keras with
    # weights='imagenet' also divides by sqrt(std) after the Normalization; that equals a
    # Normalization whose variance is variance * std, which is what computes the expected output.
    mean = np.array([0.485, 0.456, 0.406], "float32")
    variance = np.array([0.229, 0.224, 0.225], "float32")
    inp = tf_keras.Input((4, 4, 3))
    h = tf_keras.layers.Rescaling(1.0 / 255.0)(inp)
    norm = tf_keras.layers.Normalization(axis=3)
    h = norm(h)
    h = tf_keras.layers.Conv2D(2, 1, name="conv")(h)
    small = tf_keras.Model(inp, h, name="normalization_fixture")
    count = norm.get_weights()[2]
    norm.set_weights([mean, variance * np.array(IMAGENET_STDDEV_RGB, "float32"), count])
    xs = ((np.arange(4 * 4 * 3) * 7919) % 255).astype("float32").reshape(1, 4, 4, 3)
    ys = small.predict(xs, verbose=0)
    norm.set_weights([mean, variance, count])  # the file holds what the ImageNet file holds
    small.save_weights(os.path.join(FIXTURE, "normalization_fixture.h5"), save_format="h5")
    write_json(os.path.join(FIXTURE, "normalization_fixture.json"), translate_normalization(json.loads(small.to_json())))

    # Keras' caffe-mode preprocess_input (ResNet50, VGG16) on a few RGB pixels
    pixels = np.array([[[[10, 20, 30], [255, 0, 128]]]], "float32")
    caffe = tf_keras.applications.resnet50.preprocess_input(pixels.copy())
    with open(os.path.join(FIXTURE, "expected-small.json"), "w") as f:
        json.dump({"normalizationOutput": ys.reshape(-1).tolist(), "caffeInput": pixels.reshape(-1).tolist(), "caffeOutput": caffe.reshape(-1).tolist()}, f)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
