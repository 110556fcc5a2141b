import { DecodeError } from '../errors.ts';
import { FLOAT32, type CaffeBlob, type CaffeLayer, type CaffeNet } from './build.ts';
import { V1_TYPE_NAMES } from './schema.ts';
import {
  TextFormatParser,
  field,
  fields,
  numbersOf,
  parseNumber,
  stringOf,
  type TextMessage,
} from '../text/text-format.ts';

/** Reads a NetParameter in text format (deploy/train .prototxt), current `layer` and legacy `layers` blocks. */
export function parsePrototxt(bytes: Uint8Array, file: string): CaffeNet {
  const msg = new TextFormatParser(bytes, file).parse();
  const net: CaffeNet = { name: stringOf(msg, 'name') ?? '', inputs: [], layers: [] };

  const names = fields(msg, 'input')
    .filter((f) => f.kind === 'string')
    .map((f) => f.text);
  const shapes = fields(msg, 'input_shape')
    .filter((f) => f.message)
    .map((f) => dims(numbersOf(f.message!, 'dim'), file, f.start));
  const legacyDims = numbersOf(msg, 'input_dim');
  names.forEach((name, i) => {
    let d: number[] | null = shapes[i] ?? null;
    if (!d && legacyDims.length >= 4 * (i + 1)) d = dims(legacyDims.slice(4 * i, 4 * i + 4), file, 0);
    net.inputs.push({ name, dims: d });
  });

  for (const f of msg.fields) {
    if ((f.name !== 'layer' && f.name !== 'layers') || !f.message) continue;
    net.layers.push(layerOf(f.message, f.start, f.end, file));
  }
  if (!net.layers.length && !net.inputs.length) {
    throw new DecodeError('not a Caffe network: no "layer", "layers" or "input" found', file, 'NetParameter.layer');
  }
  return net;
}

function layerOf(m: TextMessage, start: number, end: number, file: string): CaffeLayer {
  // V0 files nest the definition in `layers { layer { name type } bottom top }`.
  const inner = field(m, 'layer')?.message ?? null;
  const name = stringOf(m, 'name') ?? (inner && stringOf(inner, 'name')) ?? '';
  const typeField = field(m, 'type') ?? (inner ? field(inner, 'type') : undefined);
  let type = typeField && typeField.kind !== 'message' ? typeField.text : '';
  if (typeField?.kind === 'ident') type = V1_TYPE_NAMES[type] ?? type;
  const strings = (key: string) =>
    fields(m, key)
      .filter((f) => f.kind === 'string' || f.kind === 'ident')
      .map((f) => f.text);
  const topShapes: number[][] = [];
  const inputParam = field(m, 'input_param')?.message;
  if (inputParam)
    for (const s of fields(inputParam, 'shape'))
      if (s.message) topShapes.push(dims(numbersOf(s.message, 'dim'), file, s.start));
  const blobs: CaffeBlob[] = [];
  for (const bf of fields(m, 'blobs')) {
    if (!bf.message) continue;
    const shape = field(bf.message, 'shape')?.message;
    let d = shape
      ? numbersOf(shape, 'dim')
      : ['num', 'channels', 'height', 'width'].map((k) => numbersOf(bf.message!, k)[0] ?? 1);
    if (!shape && !['num', 'channels', 'height', 'width'].some((k) => field(bf.message!, k)))
      d = [numbersOf(bf.message, 'data').length];
    blobs.push({ dims: dims(d, file, bf.start), dtype: FLOAT32, offset: -1, length: 0 });
  }
  return {
    name,
    type,
    bottoms: strings('bottom'),
    tops: strings('top'),
    blobs,
    start,
    end,
    topShapes,
    params: paramsOf(m),
  };
}

/** Numeric and enum fields of the `*_param` messages (enums as their index where known: MAX/AVE, CEIL/FLOOR). */
function paramsOf(m: TextMessage): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const f of m.fields) {
    if (!f.message || !f.name.endsWith('_param')) continue;
    for (const g of f.message.fields) {
      let v: number;
      if (g.kind === 'number') v = parseNumber(g.text);
      else if (g.kind === 'ident') v = ENUMS[g.text] ?? NaN;
      else continue;
      if (Number.isNaN(v)) continue;
      const key = `${f.name}.${g.name}`;
      const list = out.get(key);
      if (list) list.push(v);
      else out.set(key, [v]);
    }
  }
  return out;
}

const ENUMS: Readonly<Record<string, number>> = {
  true: 1,
  false: 0,
  MAX: 0,
  AVE: 1,
  STOCHASTIC: 2,
  CEIL: 0,
  FLOOR: 1,
  PROD: 0,
  SUM: 1,
};

function dims(d: number[], file: string, at: number): number[] {
  for (const x of d) {
    if (!Number.isSafeInteger(x) || x < -1)
      throw new DecodeError(`blob dimension ${x} is not a size (at byte ${at})`, file, 'dim');
  }
  return d;
}
