import type { ByteSource } from './io/byte-source.ts';
import { DecodeError } from './errors.ts';

/** A parsed JSON value. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/** A parsed JSON object. */
export type JsonObject = { [k: string]: Json };

export const isJsonObject = (v: Json | undefined): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);
/** The value when it is a string, else ''. */
export const jsonString = (v: Json | undefined): string => (typeof v === 'string' ? v : '');

/** A whole-file JSON model description is metadata only; past this it is not a real one. */
const MAX_JSON = 256 << 20;
const utf8 = new TextDecoder('utf-8');

/** Reads and parses a JSON model file, failing with a DecodeError that names the file and says why. */
export async function readJsonFile(source: ByteSource, what: string, field: string): Promise<Json> {
  const file = source.name;
  if (source.size === 0) throw new DecodeError('empty file', file, 'file');
  if (source.size > MAX_JSON) throw new DecodeError(`too large for ${what} (${source.size} bytes)`, file, 'file');
  try {
    return JSON.parse(utf8.decode(await source.read(0, source.size))) as Json;
  } catch (err) {
    throw new DecodeError(`not valid JSON (${err instanceof Error ? err.message : String(err)})`, file, field);
  }
}
