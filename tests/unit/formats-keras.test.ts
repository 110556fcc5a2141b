import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { kerasDecoder } from '../../src/decode/keras/index.ts';
import { decoders } from '../../src/decode/registry.ts';
import { GraphKind, graphInputIds, graphOutputIds, nodeInputIds, str, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { writeZip } from '../helpers/zip-writer.ts';

/*
 * No Keras or TensorFlow is installable here, so the models are written by hand in the Keras 3 `.keras` format
 * (zip of metadata.json, config.json, model.weights.h5) as `keras.saving.save_model` lays it out: layer configs with
 * `module` / `class_name` / `config` / `registered_name` / `build_config`, and Functional wiring through
 * `inbound_nodes` of `{"args": [...__keras_tensor__ {keras_history: [layer, node, tensor]}...], "kwargs": {}}`.
 */

const dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const kt = (layer: string, shape: (number | null)[], node = 0) => ({
  class_name: '__keras_tensor__',
  config: { shape, dtype: 'float32', keras_history: [layer, node, 0] },
});
const layer = (cls: string, name: string, config: Record<string, unknown>, inbound?: unknown[]) => ({
  module: 'keras.layers',
  class_name: cls,
  config: { name, trainable: true, dtype, ...config },
  registered_name: null,
  ...(inbound ? { name, inbound_nodes: inbound } : {}),
});
const call = (...args: unknown[]) => ({ args, kwargs: {} });

const functional = {
  module: 'keras.src.models.functional',
  class_name: 'Functional',
  config: {
    name: 'resnet_block',
    trainable: true,
    layers: [
      {
        module: 'keras.layers',
        class_name: 'InputLayer',
        config: { batch_shape: [null, 32, 32, 3], dtype: 'float32', sparse: false, name: 'image' },
        registered_name: null,
        name: 'image',
        inbound_nodes: [],
      },
      layer(
        'Conv2D',
        'conv2d',
        { filters: 16, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'linear', use_bias: true },
        [call(kt('image', [null, 32, 32, 3]))],
      ),
      layer('BatchNormalization', 'batch_normalization', { axis: -1, momentum: 0.99, epsilon: 0.001 }, [
        call(kt('conv2d', [null, 32, 32, 16])),
      ]),
      layer('ReLU', 're_lu', {}, [call(kt('batch_normalization', [null, 32, 32, 16]))]),
      layer('Conv2D', 'conv2d_1', { filters: 16, kernel_size: [3, 3], padding: 'same' }, [
        call(kt('re_lu', [null, 32, 32, 16])),
      ]),
      layer('Add', 'add', {}, [call([kt('conv2d_1', [null, 32, 32, 16]), kt('re_lu', [null, 32, 32, 16])])]),
      layer('GlobalAveragePooling2D', 'global_average_pooling2d', { data_format: 'channels_last' }, [
        call(kt('add', [null, 32, 32, 16])),
      ]),
      // A shared layer, called on two tensors: two layer calls, the second read as keras_history [name, 1, 0].
      layer('Dense', 'shared', { units: 16, activation: 'relu' }, [
        call(kt('global_average_pooling2d', [null, 16])),
        call(kt('shared', [null, 16], 0)),
      ]),
      {
        module: 'keras',
        class_name: 'Sequential',
        registered_name: null,
        name: 'head',
        config: {
          name: 'head',
          trainable: true,
          dtype,
          layers: [
            layer('Dense', 'dense', { units: 32, activation: 'relu' }),
            layer('Dropout', 'dropout', { rate: 0.5 }),
            layer('Dense', 'logits', { units: 10, activation: 'softmax' }),
          ],
        },
        build_config: { input_shape: [null, 16] },
        inbound_nodes: [call(kt('shared', [null, 16], 1))],
      },
    ],
    input_layers: [['image', 0, 0]],
    output_layers: [['head', 0, 0]],
  },
  registered_name: 'Functional',
  build_config: { input_shape: null },
};

const sequential = {
  module: 'keras',
  class_name: 'Sequential',
  registered_name: null,
  config: {
    name: 'mlp',
    trainable: true,
    dtype,
    layers: [
      {
        module: 'keras.layers',
        class_name: 'InputLayer',
        config: { batch_shape: [null, 784], dtype: 'float32', sparse: false, name: 'input_layer' },
        registered_name: null,
      },
      layer('Dense', 'dense', { units: 128, activation: 'relu' }),
      layer('Dropout', 'dropout', { rate: 0.2 }),
      layer('Dense', 'dense_1', { units: 10, activation: 'softmax' }),
    ],
  },
  build_config: { input_shape: [null, 784] },
};

/** The same residual wiring as Keras 2's `model.to_json()` writes it (inbound nodes as [layer, node, tensor, kwargs]). */
const keras2Json = {
  class_name: 'Model',
  keras_version: '2.4.0',
  backend: 'tensorflow',
  config: {
    name: 'model',
    layers: [
      {
        class_name: 'InputLayer',
        config: { batch_input_shape: [null, 8], dtype: 'float32', name: 'x' },
        name: 'x',
        inbound_nodes: [],
      },
      { class_name: 'Dense', config: { name: 'd1', units: 8 }, name: 'd1', inbound_nodes: [[['x', 0, 0, {}]]] },
      {
        class_name: 'Add',
        config: { name: 'sum' },
        name: 'sum',
        inbound_nodes: [
          [
            ['d1', 0, 0, {}],
            ['x', 0, 0, {}],
          ],
        ],
      },
    ],
    input_layers: [['x', 0, 0]],
    output_layers: [['sum', 0, 0]],
  },
};

const archive = (config: unknown) =>
  writeZip([
    { name: 'metadata.json', data: JSON.stringify({ keras_version: '3.3.3', date_saved: '2024-05-01@12:00:00' }) },
    { name: 'config.json', data: JSON.stringify(config), deflate: true },
    { name: 'model.weights.h5', data: new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]) },
  ]);

const names = (ir: GraphIR, ids: ArrayLike<number>) => Array.from(ids, (v) => str(ir, ir.valueName[v]));
const nodeNamed = (ir: GraphIR, name: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
};

describe('Keras 3 .keras archive', () => {
  it('is claimed by the keras decoder only', () => {
    const bytes = archive(functional);
    for (const name of ['model.keras', 'model.bin'])
      expect(decoders.filter((d) => d.sniff(bytes.subarray(0, 4096), name)).map((d) => d.id)).toEqual(['keras']);
    const json = new TextEncoder().encode(JSON.stringify(keras2Json));
    expect(decoders.filter((d) => d.sniff(json, 'model.json')).map((d) => d.id)).toEqual(['keras']);
  });

  it('Functional: one node per layer call, residual and shared-layer wiring, nested Sequential as a sub-graph', async () => {
    const source = new BufferSource(archive(functional), 'model.keras');
    const model = await kerasDecoder.open(source);
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(9);
    expect(s.ops).toEqual({
      Add: 1,
      BatchNormalization: 1,
      Conv2D: 2,
      Dense: 2,
      GlobalAveragePooling2D: 1,
      ReLU: 1,
      Sequential: 1,
    });
    expect(s.inputs).toEqual([{ name: 'image', type: 'float32', shape: [-1, 32, 32, 3] }]);
    expect(s.outputs.map((o) => o.name)).toEqual(['head']);
    expect(s.subgraphs).toBe(1);
    expect(ir.metadata).toMatchObject({
      keras_version: '3.3.3',
      container: 'keras',
      model: 'Functional "resnet_block"',
    });
    expect(ir.metadata.weights).toMatch(/^model\.weights\.h5 \(12 bytes, not read\)$/);

    expect(names(ir, nodeInputIds(ir, nodeNamed(ir, 'add')))).toEqual(['conv2d_1', 're_lu']);
    expect(names(ir, nodeInputIds(ir, nodeNamed(ir, 'shared#1')))).toEqual(['shared']);
    expect(names(ir, nodeInputIds(ir, nodeNamed(ir, 'head')))).toEqual(['shared:1:0']);

    const sub = 1;
    expect(ir.graphKind[sub]).toBe(GraphKind.Subgraph);
    expect(ir.graphParentNode[sub]).toBe(nodeNamed(ir, 'head'));
    expect(ir.graphNodeCount[sub]).toBe(3);
    expect(names(ir, graphInputIds(ir, sub))).toEqual(['head/input_0']);
    expect(names(ir, graphOutputIds(ir, sub))).toEqual(['logits']);

    const details = await model.nodeDetails(nodeNamed(ir, 'conv2d'));
    expect(Object.fromEntries(details.attributes.map((a) => [a.name, a.value]))).toMatchObject({
      filters: '16',
      kernel_size: '[3,3]',
      padding: '"same"',
    });
  });

  it('Sequential: a chain from the InputLayer', async () => {
    const model = await kerasDecoder.open(new BufferSource(archive(sequential), 'mlp.keras'));
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(3);
    expect(s.ops).toEqual({ Dense: 2, Dropout: 1 });
    expect(s.inputs).toEqual([{ name: 'input_layer', type: 'float32', shape: [-1, 784] }]);
    expect(s.outputs.map((o) => o.name)).toEqual(['dense_1']);
    expect(names(ir, nodeInputIds(ir, nodeNamed(ir, 'dropout')))).toEqual(['dense']);
  });

  it('Keras 2 model JSON (to_json) with list-style inbound nodes', async () => {
    const model = await kerasDecoder.open(
      new BufferSource(new TextEncoder().encode(JSON.stringify(keras2Json)), 'model.json'),
    );
    const ir = model.ir;
    const s = summarize(ir);
    expect(s.ops).toEqual({ Add: 1, Dense: 1 });
    expect(names(ir, nodeInputIds(ir, nodeNamed(ir, 'sum')))).toEqual(['d1', 'x']);
    expect(s.inputs).toEqual([{ name: 'x', type: 'float32', shape: [-1, 8] }]);
    expect(ir.metadata.keras_version).toBe('2.4.0');
  });

  it('broken archives and configs fail with a DecodeError', async () => {
    const bytes = archive(functional);
    await expect(
      kerasDecoder.open(new BufferSource(bytes.subarray(0, bytes.length - 30), 'cut.keras')),
    ).rejects.toThrow(DecodeError);
    const bad = writeZip([
      { name: 'metadata.json', data: '{}' },
      { name: 'config.json', data: '{"class_name": "Functional", ' },
    ]);
    await expect(kerasDecoder.open(new BufferSource(bad, 'bad.keras'))).rejects.toThrow(/not valid JSON/);
    const noConfig = writeZip([{ name: 'metadata.json', data: '{}' }]);
    await expect(kerasDecoder.open(new BufferSource(noConfig, 'x.keras'))).rejects.toThrow(/no config\.json/);
    const noLayers = writeZip([{ name: 'config.json', data: '{"class_name": "Functional", "config": {"name": "m"}}' }]);
    await expect(kerasDecoder.open(new BufferSource(noLayers, 'x.keras'))).rejects.toThrow(/no layers list/);
  });
});
