import { DecodeError } from '../errors.ts';
import { looksLikeHdf5 } from '../hdf5/sniff.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { isJsonObject, type Json } from '../json-file.ts';
import { looksLikeZip } from '../zip/sniff.ts';
import { ZipArchive } from '../zip/zip.ts';
import { readKerasH5, type KerasWeight } from './h5-model.ts';

/**
 * The model config of a Keras file, from whichever container holds it: the Keras 3 `.keras` archive
 * (`config.json`, `metadata.json`), the legacy HDF5 model (a root attribute) or a bare config JSON.
 */

const MAX_CONFIG = 256 << 20;
const utf8 = new TextDecoder('utf-8');

export interface KerasSource {
  config: Json;
  metadata: Record<string, string>;
  weights: Map<string, KerasWeight[]>;
}

/** Reads a model config by its container, with the container's metadata and (HDF5) the located weights. */
export async function readConfig(source: ByteSource): Promise<KerasSource> {
  const file = source.name;
  let metadata: Record<string, string> = {};
  let weights = new Map<string, KerasWeight[]>();
  let text: string;
  if (source.size === 0) throw new DecodeError('empty file', file, 'file');
  const head = await source.read(0, 4096);
  // The HDF5 signature may sit after a user block; Hdf5File finds it there.
  if (looksLikeHdf5(head) || /\.(h5|hdf5)$/i.test(file)) {
    const h5 = await readKerasH5(source);
    ({ metadata, weights } = h5);
    text = h5.configText;
  } else if (looksLikeZip(head)) {
    const zip = await ZipArchive.open(source);
    const entry = zip.get('config.json');
    if (!entry) throw new DecodeError('not a Keras archive: no config.json', file, 'config.json');
    text = await zip.text(entry, MAX_CONFIG);
    const meta = zip.get('metadata.json');
    if (meta && meta.size < 1 << 20) {
      try {
        const m = JSON.parse(await zip.text(meta)) as Json;
        if (isJsonObject(m))
          for (const k of ['keras_version', 'date_saved']) if (typeof m[k] === 'string') metadata[k] = m[k] as string;
      } catch {
        metadata.metadata_json = 'unreadable';
      }
    }
    const weights = zip.entries.find((e) => /\.(weights\.)?h5$/.test(e.name) || e.name.endsWith('.npz'));
    if (weights) metadata.weights = `${weights.name} (${weights.size} bytes, not read)`;
    metadata.container = 'keras';
  } else {
    if (source.size > MAX_CONFIG)
      throw new DecodeError(`too large for a Keras model config (${source.size} bytes)`, file, 'file');
    text = utf8.decode(await source.read(0, source.size));
    metadata.container = 'json';
  }
  let config: Json;
  try {
    config = JSON.parse(text) as Json;
  } catch (err) {
    throw new DecodeError(
      `config.json is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      file,
      'config.json',
    );
  }
  // tfjs layers models wrap the Keras config: {"modelTopology": {"model_config": {...}}}.
  if (isJsonObject(config) && isJsonObject(config.modelTopology)) config = config.modelTopology;
  if (isJsonObject(config) && isJsonObject(config.model_config)) config = config.model_config;
  if (isJsonObject(config) && typeof config.keras_version === 'string') metadata.keras_version ??= config.keras_version;
  return { config, metadata, weights };
}
