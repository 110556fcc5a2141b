/** Kept apart from index.ts and decoder.ts: both name the file, and decoder.ts is loaded on demand by index.ts. */

/** The weights file beside an ncnn `.param` (the decoder opens it; a URL source asks for it early). */
export function ncnnBinName(paramName: string): string {
  return `${paramName.replace(/\.param$/i, '')}.bin`;
}
