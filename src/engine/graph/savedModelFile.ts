// Writes a LayersGraph as a TensorFlow SavedModel directory (saved_model.pb, no variables: the
// weights are Placeholders the caller feeds), with the protobuf message classes that tfjs-node ships for reading
// SavedModels (dist/proto/api_pb.js over google-protobuf): the same field numbers as TensorFlow's
// .proto files, so no second protobuf library or hand-written encoder is needed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AttrValue, LayersGraph } from './layersGraph.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- generated protobuf classes without types */
type Proto = any;

/** tfjs-node's generated TensorFlow protobuf classes, resolved from its own package. */
function protoModule(tfjsNodeDir: string): Proto {
  const requireThere = createRequire(join(tfjsNodeDir, 'package.json'));
  return requireThere('./dist/proto/api_pb.js'); // exports the proto.tensorflow namespace
}

// GraphDef producer version: TensorFlow 2.x graphs (any value its loader accepts; 2.21 reads ≥ 0).
const PRODUCER = 1286;

function shapeProto(pb: Proto, dims: number[]): Proto {
  const shape = new pb.TensorShape();
  for (const d of dims) {
    const dim = new pb.TensorShape.Dim();
    dim.setSize(d);
    shape.addDim(dim);
  }
  return shape;
}

function attrProto(pb: Proto, v: AttrValue): Proto {
  const a = new pb.AttrValue();
  const dtype = (t: 'float32' | 'int32') => (t === 'float32' ? pb.DataType.DT_FLOAT : pb.DataType.DT_INT32);
  if ('type' in v) a.setType(dtype(v.type));
  else if ('i' in v) a.setI(v.i);
  else if ('f' in v) a.setF(v.f);
  else if ('b' in v) a.setB(v.b);
  else if ('s' in v) a.setS(new TextEncoder().encode(v.s));
  else if ('ints' in v) {
    const list = new pb.AttrValue.ListValue();
    list.setIList(v.ints);
    a.setList(list);
  } else if ('shape' in v) a.setShape(shapeProto(pb, v.shape));
  else {
    const t = new pb.Tensor();
    t.setDtype(dtype(v.tensor.dtype));
    t.setTensorShape(shapeProto(pb, v.tensor.shape));
    // tensor_content: the raw little-endian values (x86 and arm64 both are)
    t.setTensorContent(new Uint8Array(v.tensor.values.buffer, v.tensor.values.byteOffset, v.tensor.values.byteLength));
    a.setTensor(t);
  }
  return a;
}

function tensorInfo(pb: Proto, name: string, dims: number[]): Proto {
  const info = new pb.TensorInfo();
  info.setName(`${name}:0`);
  info.setDtype(pb.DataType.DT_FLOAT);
  info.setTensorShape(shapeProto(pb, dims));
  return info;
}

export const SERVE_TAG = 'serve';

/** Writes `graph` as a SavedModel in `dir` (created), tag `serve`, signature `serving_default`. */
export function writeSavedModel(graph: LayersGraph, dir: string, tfjsNodeDir: string): void {
  const pb = protoModule(tfjsNodeDir);
  const graphDef = new pb.GraphDef();
  for (const n of graph.nodes) {
    const node = new pb.NodeDef();
    node.setName(n.name);
    node.setOp(n.op);
    node.setInputList(n.inputs);
    const attrs = node.getAttrMap();
    for (const [k, v] of Object.entries(n.attrs)) attrs.set(k, attrProto(pb, v));
    graphDef.addNode(node);
  }
  const versions = new pb.VersionDef();
  versions.setProducer(PRODUCER);
  graphDef.setVersions(versions);

  const signature = new pb.SignatureDef();
  signature.getInputsMap().set('x', tensorInfo(pb, graph.input, graph.inputShape));
  signature.getOutputsMap().set('y', tensorInfo(pb, graph.output, []));
  signature.setMethodName('tensorflow/serving/predict');

  const metaInfo = new pb.MetaGraphDef.MetaInfoDef();
  metaInfo.addTags(SERVE_TAG);
  const metaGraph = new pb.MetaGraphDef();
  metaGraph.setMetaInfoDef(metaInfo);
  metaGraph.setGraphDef(graphDef);
  metaGraph.getSignatureDefMap().set('serving_default', signature);

  const savedModel = new pb.SavedModel();
  savedModel.setSavedModelSchemaVersion(1);
  savedModel.addMetaGraphs(metaGraph);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'saved_model.pb'), savedModel.serializeBinary());
}
