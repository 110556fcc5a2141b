import type { ByteSource } from '../io/byte-source.ts';
import { storedTensor, type Checkpoint, type StoredTensor } from '../checkpoint/stored-tensor.ts';
import type { DecodeOptions } from '../decoder.ts';
import { DecodeError } from '../errors.ts';
import { unpickle, unpickleAt, type PyValue } from '../pytorch/pickle.ts';
import { ZipArchive } from '../zip/zip.ts';
import { storageElementBytes, walkPickle, type PickledTensor, type PickleWalk } from './walk.ts';

/** A state_dict pickle of this size is already absurd; weights live in storages, not in the pickle. */
const MAX_PICKLE_BYTES = 256 << 20;
const FIRST_READ = 4 << 20;
/** Storages between two progress reports and cancellation checks. */
const STORAGES_PER_REPORT = 256;

/** Where each storage's bytes are. */
type StorageMap = Map<string, { offset: number; byteLength: number }>;

const OPTIMIZER = /^[^.]*optim/i;

function toCheckpoint(
  file: string,
  walk: PickleWalk,
  storages: StorageMap,
  metadata: Record<string, string>,
): Checkpoint {
  const tensors: StoredTensor[] = walk.tensors.map((t) => located(file, t, storages.get(t.storageKey)));
  for (const [k, v] of walk.scalars) metadata[`checkpoint.${k}`] = v;
  const classes = walk.moduleClasses;
  if (classes.has('')) metadata['module class'] = classes.get('')!;
  return { format: 'pytorch', tensors, metadata, architecture: '', moduleClasses: classes.size ? classes : undefined };
}

/** The tensor's bytes inside its storage; a shape or offset no torch could have written is refused. */
function located(
  file: string,
  t: PickledTensor,
  storage: { offset: number; byteLength: number } | undefined,
): StoredTensor {
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new DecodeError(`tensor "${t.name}" has an invalid shape [${t.shape.join(', ')}]`, file, t.name);
  }
  if (!Number.isSafeInteger(t.storageOffset) || t.storageOffset < 0) {
    throw new DecodeError(`tensor "${t.name}" has an invalid storage offset ${t.storageOffset}`, file, t.name);
  }
  let elements = 1;
  for (const d of t.shape) elements *= d;
  const byteLength = elements * t.elementBytes;
  const start = t.storageOffset * t.elementBytes;
  const inside = storage && storage.offset >= 0 && t.elementBytes > 0 && start + byteLength <= storage.byteLength;
  return storedTensor({
    name: t.name,
    dtype: t.dtype,
    storedType: t.dtypeName,
    shape: t.shape,
    optimizer: OPTIMIZER.test(t.name),
    offset: inside ? storage.offset + start : -1,
    byteLength: inside ? byteLength : 0,
  });
}

/** torch.save's zip format (PyTorch ≥ 1.6): `<name>/data.pkl` plus one stored entry per storage under `data/`. */
export async function readZipCheckpoint(source: ByteSource, options: DecodeOptions = {}): Promise<Checkpoint> {
  const zip = await ZipArchive.open(source);
  const file = source.name;
  const dataPkl = zip.entries.find((e) => /^([^/]+\/)?data\.pkl$/.test(e.name));
  if (!dataPkl) throw new DecodeError('not a PyTorch archive: no data.pkl', file, 'data.pkl');
  const prefix = dataPkl.name.slice(0, dataPkl.name.length - 'data.pkl'.length);
  if (zip.entries.some((e) => e.name.startsWith(`${prefix}code/`))) {
    throw new DecodeError('a TorchScript archive (it has code/), not a torch.save checkpoint', file, 'code/');
  }
  const walk = walkPickle(unpickle(await zip.read(dataPkl, MAX_PICKLE_BYTES), file, dataPkl.name));
  const storages: StorageMap = new Map();
  for (const t of walk.tensors) {
    if (storages.has(t.storageKey)) continue;
    const entry = zip.get(`${prefix}data/${t.storageKey}`);
    // PyTorch stores storages uncompressed; a deflated one cannot be read by range and is left unlocated.
    if (entry)
      storages.set(t.storageKey, {
        offset: entry.method === 0 ? await zip.dataOffset(entry) : -1,
        byteLength: entry.size,
      });
    if (storages.size % STORAGES_PER_REPORT === 0) {
      options.checkCancelled?.();
      options.onProgress?.(entry ? entry.localHeaderOffset : 0, source.size);
    }
  }
  return toCheckpoint(file, walk, storages, { format: 'PyTorch zip (torch.save)' });
}

/**
 * The legacy format (before PyTorch 1.6, still common as `pytorch_model.bin`): pickled magic number, protocol
 * version, system info, the object, the list of storage keys; then each storage as an 8-byte element count and
 * its bytes, in key order. The pickles are read from a growing prefix; storages are located by range.
 */
export async function readLegacyCheckpoint(source: ByteSource, options: DecodeOptions = {}): Promise<Checkpoint> {
  const file = source.name;
  let length = Math.min(source.size, FIRST_READ);
  for (;;) {
    const bytes = await source.read(0, length);
    let pickles: LegacyPickles;
    try {
      pickles = readLegacyPickles(file, bytes);
    } catch (err) {
      if (!(err instanceof DecodeError && err.truncated) || length >= source.size) throw err;
      if (length >= MAX_PICKLE_BYTES)
        throw new DecodeError(`legacy torch pickles are larger than ${MAX_PICKLE_BYTES} bytes`, file, 'pickle');
      length = Math.min(source.size, length * 4);
      options.checkCancelled?.();
      continue;
    }
    const storages = await locateLegacyStorages(source, pickles, options);
    return toCheckpoint(file, pickles.walk, storages, {
      format: 'PyTorch legacy (pre-1.6 torch.save)',
      'protocol version': String(pickles.protocol),
    });
  }
}

interface LegacyPickles {
  protocol: PyValue;
  walk: PickleWalk;
  elementBytes: Map<string, number>;
  keys: string[];
  /** Where the storages start: the byte after the last pickle. */
  end: number;
}

function readLegacyPickles(file: string, bytes: Uint8Array): LegacyPickles {
  let p = 0;
  const next = (what: string): PyValue => {
    const r = unpickleAt(bytes, p, file, what);
    p = r.end;
    return r.value;
  };
  next('magic number');
  const protocol = next('protocol version');
  next('system info');
  const object = next('object');
  const keys = next('storage keys');
  if (!Array.isArray(keys)) throw new DecodeError('storage key list is not a list', file, 'storage keys');
  return {
    protocol,
    walk: walkPickle(object),
    elementBytes: storageElementBytes(object),
    keys: keys.map(String),
    end: p,
  };
}

/**
 * Steps over the storages in key order. A storage whose element size is unknown cannot be stepped over, so it and
 * every storage after it stay unlocated (their previews say so) rather than pointing at the wrong bytes.
 */
async function locateLegacyStorages(
  source: ByteSource,
  pickles: LegacyPickles,
  options: DecodeOptions,
): Promise<StorageMap> {
  const file = source.name;
  const storages: StorageMap = new Map();
  let at = pickles.end;
  for (const [i, key] of pickles.keys.entries()) {
    const elementBytes = pickles.elementBytes.get(key);
    if (!elementBytes) break;
    if (i % STORAGES_PER_REPORT === 0) {
      options.checkCancelled?.();
      options.onProgress?.(at, source.size);
    }
    if (at + 8 > source.size)
      throw new DecodeError(`storage ${key} starts past the end of the file: truncated`, file, 'storages');
    const countBytes = await source.read(at, 8);
    const dv = new DataView(countBytes.buffer, countBytes.byteOffset, 8);
    const count = dv.getUint32(0, true) + dv.getUint32(4, true) * 4294967296;
    const size = count * elementBytes;
    if (at + 8 + size > source.size)
      throw new DecodeError(
        `storage ${key} (${size} bytes) runs past the end of the file: truncated`,
        file,
        'storages',
      );
    storages.set(key, { offset: at + 8, byteLength: size });
    at += 8 + size;
  }
  return storages;
}
