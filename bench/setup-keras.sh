#!/usr/bin/env bash
# Creates the Python environment for the Keras peer (bench/keras/peer.py) in .cache/bench-venv.
# Idempotent: re-running only installs what is missing. Needs PyPI; nothing else is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.cache/bench-venv
PY=${PYTHON:-python3}
# TensorFlow 2.21 supports CPython 3.9-3.12 on linux x86_64/aarch64.
TF_VERSION=${TF_VERSION:-2.21.0}

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
# tf-keras is Keras 2 (the API of the seed script: ImageDataGenerator, flow_from_directory,
# model_from_json for the Keras-2 topology that nsfwjs ships). scipy is needed by
# ImageDataGenerator's affine transforms, pillow by its image loading.
if ! "$VENV/bin/python" -c "import tensorflow, tf_keras, scipy, PIL" 2>/dev/null; then
  "$VENV/bin/pip" install --disable-pip-version-check -q \
    "tensorflow-cpu==$TF_VERSION" "tf-keras==$TF_VERSION" scipy pillow
fi
"$VENV/bin/python" -c "import tensorflow as tf, tf_keras; print('tensorflow', tf.__version__, 'tf_keras', tf_keras.__version__)"
