/** Legacy files start with this pickled magic number (torch/serialization.py MAGIC_NUMBER). */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/** A torch.save file of the legacy (pre-zip) format; kept apart from the reader so sniffing loads none of it. */
export function looksLikeLegacyTorch(head: Uint8Array): boolean {
  return head.length >= LEGACY_MAGIC.length && LEGACY_MAGIC.every((b, i) => head[i] === b);
}
