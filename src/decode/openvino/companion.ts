/** Kept apart from index.ts and decoder.ts: both name the file, and decoder.ts is loaded on demand by index.ts. */

/** The weights file beside an OpenVINO `.xml` (the decoder sizes it; a URL source asks for it early). */
export function openvinoBinName(xmlName: string): string {
  return `${xmlName.replace(/^.*[\\/]/, '').replace(/\.xml$/i, '')}.bin`;
}
