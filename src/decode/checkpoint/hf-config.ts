import type { ByteSource } from '../io/byte-source.ts';
import type { Json } from '../json-file.ts';

/** A config file beside the weights is a few KB; past this it is not one. */
const MAX_CONFIG_BYTES = 4 << 20;
const MAX_VALUE_CHARS = 200;
const utf8 = new TextDecoder('utf-8');

/** Hugging Face companion files and the metadata prefix their fields get. */
const COMPANIONS: readonly [file: string, prefix: string][] = [
  ['config.json', 'config'],
  ['generation_config.json', 'generation'],
  ['tokenizer_config.json', 'tokenizer'],
];

export interface HfConfig {
  metadata: Record<string, string>;
  /** `model_type` of config.json, '' if absent. */
  modelType: string;
  /** Companion files found. */
  files: string[];
}

/**
 * Reads config.json, generation_config.json and tokenizer_config.json beside a checkpoint, when the source can
 * reach its folder. Top-level fields become metadata (`config.hidden_size`); large nested values are shortened.
 * A companion that is absent, too large or not JSON is skipped: the weights still open.
 */
export async function readHfCompanions(source: ByteSource): Promise<HfConfig> {
  const result: HfConfig = { metadata: {}, modelType: '', files: [] };
  for (const [file, prefix] of COMPANIONS) {
    const json = await readSiblingJson(source, file);
    if (!json || typeof json !== 'object' || Array.isArray(json)) continue;
    result.files.push(file);
    for (const [key, value] of Object.entries(json)) {
      if (prefix === 'tokenizer' && key === 'added_tokens_decoder') continue;
      result.metadata[`${prefix}.${key}`] = displayValue(value);
    }
    if (file === 'config.json' && typeof json.model_type === 'string') result.modelType = json.model_type;
  }
  return result;
}

async function readSiblingJson(source: ByteSource, file: string): Promise<Json | null> {
  if (source.name === file) return null;
  const sibling = await source.sibling?.(file).catch(() => null);
  if (!sibling) return null;
  try {
    if (sibling.size === 0 || sibling.size > MAX_CONFIG_BYTES) return null;
    return JSON.parse(utf8.decode(await sibling.read(0, sibling.size))) as Json;
  } catch {
    return null;
  } finally {
    await sibling.close?.();
  }
}

function displayValue(value: Json): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}
