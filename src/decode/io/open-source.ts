import { BlobSource, type ByteSource } from './byte-source.ts';
import { UrlSource } from './url-source.ts';
import type { ModelInput } from '../api.ts';

/** Turns what the page was given (a dropped file with its siblings, or a URL) into a ByteSource. */
export async function openInput(input: ModelInput): Promise<ByteSource> {
  if (input.kind === 'url') return UrlSource.open(input.url);
  const siblings = new Map<string, Blob>();
  for (const s of input.siblings ?? []) siblings.set((s as File).name ?? '', s);
  return new BlobSource(input.blob, input.name, siblings);
}
