import { defineDecoder, openOnDemand } from '../decoder.ts';

/** ModelProto field tags that can start a file (ir_version, producer, graph, opset_import). */
const FIRST_TAGS = new Set([0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42]);

export const onnxDecoder = defineDecoder({
  id: 'onnx',
  name: 'ONNX',
  extensions: ['.onnx'],
  sniff(head, fileName) {
    // ir_version (field 1, varint) first with a plausible version, then another ModelProto field.
    if (head.length >= 3 && head[0] === 0x08 && head[1] >= 1 && head[1] <= 32 && FIRST_TAGS.has(head[2])) {
      // producer_name must be a short printable string: a TensorFlow SavedModel also starts 08 01 12 (a MetaGraphDef).
      return (
        head[2] !== 0x12 ||
        head.length < 5 ||
        (head[3] < 0x80 && (head[3] === 0 || (head[4] >= 0x20 && head[4] < 0x7f)))
      );
    }
    return fileName.toLowerCase().endsWith('.onnx') && head.length > 0 && FIRST_TAGS.has(head[0]);
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openOnnx),
});
