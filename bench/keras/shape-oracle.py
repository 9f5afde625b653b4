"""Keras' own shapes for every layer a Python file builds: runs the file (it must only build
models) and prints JSON, one record per layer in construction order:
  {"line": construction line in the file, "callLines": [lines where it was applied],
   "cls": class name, "shapes": [output shape of each application, batch dimension dropped],
   "params": count_params() or null}
Lines are 1-based, of the innermost frame in the file itself (a layer made in a helper has the
helper's line). Used by bench/keras-shapes.ts; run it with the bench venv (bench/setup-keras.sh).
Usage: .cache/bench-venv/bin/python bench/keras/shape-oracle.py FILE.py"""
import json
import os
import runpy
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402

path = os.path.abspath(sys.argv[1])
records = []


def file_line():
    f = sys._getframe(2)
    while f is not None:
        if os.path.abspath(f.f_code.co_filename) == path:
            return f.f_lineno
        f = f.f_back
    return None


orig_init = keras.layers.Layer.__init__
orig_call = keras.layers.Layer.__call__


def init(self, *args, **kwargs):
    if not isinstance(self, keras.Model) and not hasattr(self, "_cnn_line"):
        self._cnn_line = file_line()
        self._cnn_calls = []
        records.append(self)
    return orig_init(self, *args, **kwargs)


def call(self, *args, **kwargs):
    if hasattr(self, "_cnn_calls"):
        line = file_line()
        if line is not None and line not in self._cnn_calls:
            self._cnn_calls.append(line)
    return orig_call(self, *args, **kwargs)


keras.layers.Layer.__init__ = init
keras.layers.Layer.__call__ = call
sys.argv = [path]
runpy.run_path(path, run_name="__main__")


def shape_of(t):
    return [None if d is None else int(d) for d in tuple(t.shape)[1:]]


out = []
for layer in records:
    if layer._cnn_line is None:
        continue
    shapes = []
    for node in getattr(layer, "_inbound_nodes", []):
        outs = node.outputs if isinstance(node.outputs, (list, tuple)) else [node.outputs]
        if outs:
            s = shape_of(outs[0])
            if s not in shapes:
                shapes.append(s)
    try:
        params = int(layer.count_params()) if layer.built else None
    except Exception:  # a layer never built has no weights to count
        params = None
    out.append({"line": layer._cnn_line, "callLines": layer._cnn_calls, "cls": type(layer).__name__, "shapes": shapes, "params": params})
print(json.dumps(out))
