"""What train.py and predict.py share: the exported experiment, and images decoded as CNN Lab does.

Written by `cnn-lab export --format keras-script`. Pixels are decoded by TensorFlow here and by
sharp (libvips) in CNN Lab: resizing is bilinear in both, but the two libraries' filters differ,
so inputs differ by a few grey levels at most; transparent pixels are dropped to their RGB here
(tf.io.decode_image) where CNN Lab composites them onto white.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# The preprocessing names CNN Lab records, on float32 RGB pixels in 0..255.
PREPROCESSING = {
    "0..1": lambda x: x / 255.0,
    "-1..1": lambda x: x / 127.5 - 1.0,
    "0..255": lambda x: x,
    "(x-127)/128": lambda x: (x - 127.0) / 128.0,
    # Keras applications' "caffe" mode: RGB -> BGR, minus the ImageNet channel means
    "caffe": lambda x: x[..., ::-1] - [103.939, 116.779, 123.68],
}


def load_experiment():
    with open(os.path.join(HERE, "experiment.json"), encoding="utf-8") as f:
        return json.load(f)


def decode_resize(tf, keras, raw, height, width, resize):
    """Encoded image bytes -> float32 [height, width, 3] in 0..255 ('stretch' like Keras target_size)."""
    img = tf.io.decode_image(raw, channels=3, expand_animations=False)
    img = tf.cast(img, tf.float32)
    img.set_shape([None, None, 3])
    resizer = keras.layers.Resizing(height, width, interpolation="bilinear", crop_to_aspect_ratio=(resize == "center-crop"))
    return resizer(img)


def labels_path(model_path):
    """model.keras -> model.labels.json (the file CNN Lab and train.py write beside a model)."""
    stem = model_path[: -len(os.path.splitext(model_path)[1])] if os.path.splitext(model_path)[1] in (".keras", ".h5") else model_path
    return stem + ".labels.json"
