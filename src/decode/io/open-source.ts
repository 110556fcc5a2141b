import { BlobSource, type ByteSource } from './byte-source.ts';
import { HEAD_BYTES, UrlSource } from './url-source.ts';
import { inputName, type ModelInput } from '../api.ts';
import { companionsFor } from '../registry.ts';
import { markOpen } from './open-marks.ts';

/** Turns what the page was given (a dropped file with its siblings, or a URL) into a ByteSource. */
export async function openInput(input: ModelInput): Promise<ByteSource> {
  markOpen('strata:decode-start');
  const source = await openSource(input);
  markOpen('strata:decode-source');
  return source;
}

async function openSource(input: ModelInput): Promise<ByteSource> {
  if (input.kind === 'url') return UrlSource.open(input.url, HEAD_BYTES, companionsFor(inputName(input)));
  const siblings = new Map<string, Blob>();
  for (const s of input.siblings ?? []) siblings.set((s as File).name ?? '', s);
  // Read from now on, while the worker detects the format and loads its decoder.
  return new BlobSource(input.blob, input.name, siblings, HEAD_BYTES);
}
