/** The TFLite file identifier (schema.fbs `file_identifier`), kept apart from the decoder so sniffing loads none of it. */
const FILE_IDENTIFIER = 'TFL3';

/** Reads the 8-byte header and checks the "TFL3" identifier. */
export function hasTfliteIdentifier(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  for (let i = 0; i < 4; i++) if (head[4 + i] !== FILE_IDENTIFIER.charCodeAt(i)) return false;
  return true;
}
