"""Loads a CNN Lab export in Keras and compares its predictions with CNN Lab's.

Usage: keras_predict_compare.py MODEL(.keras|.h5) INPUTS.f32 OURS.f32 N H W CLASSES [--tf-keras]
INPUTS.f32 holds N preprocessed images (float32, N*H*W*3, the pixels CNN Lab decoded) and OURS.f32
CNN Lab's probabilities for them (N*CLASSES). Prints one JSON line: max |keras - ours|, and which
Keras loaded the file. --tf-keras loads with Keras 2 (tf_keras) instead of Keras 3.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np

path, inputs, ours, n, h, w, classes = sys.argv[1:8]
n, h, w, classes = int(n), int(h), int(w), int(classes)
if "--tf-keras" in sys.argv:
    import tf_keras as keras
else:
    import keras
model = keras.models.load_model(path, compile=False)
x = np.fromfile(inputs, dtype="<f4").reshape(n, h, w, 3)
expected = np.fromfile(ours, dtype="<f4").reshape(n, classes)
got = model.predict(x, verbose=0)
print(json.dumps({
    "keras": keras.__version__,
    "layers": len(model.layers),
    "max_abs_diff": float(np.max(np.abs(got - expected))),
    "argmax_agree": int(np.sum(np.argmax(got, 1) == np.argmax(expected, 1))),
    "n": n,
}))
