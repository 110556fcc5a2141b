import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import { Hdf5File, type Hdf5Object } from '../hdf5/hdf5.ts';

/**
 * The legacy Keras HDF5 model (`model.save('x.h5')`): the model config is a JSON string attribute on the root
 * group, and the weights sit in `model_weights/<layer>/…`, listed per layer by a `weight_names` attribute. Only
 * where each weight's bytes are is recorded; nothing of the weights is read.
 */

export interface KerasWeight {
  /** The weight's name as Keras lists it (`conv1/kernel:0`). */
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute offset of the contiguous bytes, or -1 (chunked or compressed: shape only). */
  offset: number;
  length: number;
}

export interface KerasH5Model {
  configText: string;
  metadata: Record<string, string>;
  /** Layer name → its weights in Keras's order. */
  weights: Map<string, KerasWeight[]>;
}

const MAX_DEPTH = 16;

const asString = (v: unknown): string => (typeof v === 'string' ? v : '');
const asStrings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];

export async function readKerasH5(source: ByteSource): Promise<KerasH5Model> {
  const file = await Hdf5File.open(source);
  const root = await file.root();
  const configText = asString(await root.attribute('model_config'));
  if (!configText) {
    const weightsOnly = (await root.attribute('layer_names')) !== undefined;
    throw new DecodeError(
      weightsOnly
        ? 'this HDF5 file holds Keras weights only (save_weights); it has no model config to draw'
        : 'HDF5 file without a Keras "model_config" attribute: not a Keras model',
      source.name,
      'model_config',
    );
  }
  const metadata: Record<string, string> = { container: 'hdf5' };
  for (const key of ['keras_version', 'backend']) {
    const v = asString(await root.attribute(key));
    if (v) metadata[key] = v;
  }
  const weights = new Map<string, KerasWeight[]>();
  const group = await root.child('model_weights');
  if (group) {
    const layerNames = asStrings(await group.attribute('layer_names'));
    const names = layerNames.length ? layerNames : [...(await group.children()).keys()];
    for (const layer of names) {
      const layerGroup = await group.child(layer);
      if (!layerGroup) continue;
      const list = await layerWeights(layerGroup);
      if (list.length) weights.set(layer, list);
    }
  }
  return { configText, metadata, weights };
}

async function layerWeights(group: Hdf5Object): Promise<KerasWeight[]> {
  const out: KerasWeight[] = [];
  const listed = asStrings(await group.attribute('weight_names'));
  if (listed.length) {
    for (const name of listed) {
      const ds = await group.resolve(name);
      if (ds?.isDataset) push(out, name, ds);
    }
    return out;
  }
  // No list: every dataset below the layer's group, in the file's order.
  const walk = async (g: Hdf5Object, prefix: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) return;
    for (const name of (await g.children()).keys()) {
      const child = await g.child(name);
      if (!child) continue;
      const path = prefix ? `${prefix}/${name}` : name;
      if (child.isDataset) push(out, path, child);
      else if (child.isGroup) await walk(child, path, depth + 1);
    }
  };
  await walk(group, '', 0);
  return out;
}

function push(out: KerasWeight[], name: string, ds: Hdf5Object): void {
  const d = ds.dataset();
  if (!d) return;
  out.push({ name, dtype: d.type.name, shape: d.shape, offset: d.offset, length: d.length });
}
