import { FieldReader, readNumber, utf8, type AttributeHeader, type Hdf5Reader, type Hdf5Value } from './fields.ts';

/**
 * Attribute values: fixed-size numbers and strings stored in the attribute message, and variable-length strings
 * stored in global heap collections (read once per collection and cached).
 */

const MAX_ATTRIBUTE_BYTES = 256 << 20;

export class Hdf5Attributes {
  private readonly heapCache = new Map<number, Map<number, Uint8Array>>();

  constructor(private readonly file: Hdf5Reader) {}

  async value(a: AttributeHeader, where: string): Promise<Hdf5Value> {
    const { type, shape, data } = a;
    let count = 1;
    for (const d of shape) count *= d;
    if (!Number.isSafeInteger(count) || count > MAX_ATTRIBUTE_BYTES)
      this.file.fail('attribute has too many elements', where);
    const scalar = shape.length === 0;
    const values: (string | number | bigint)[] = [];
    if (type.name === 'vstring') {
      const entry = 4 + this.file.offsetSize + 4;
      if (data.length < count * entry) this.file.fail('attribute data is cut short', where);
      for (let i = 0; i < count; i++) {
        const r = new FieldReader(data, this.file, where, i * entry + 4);
        const collection = r.address();
        const index = r.u32();
        values.push(await this.globalHeapString(collection, index, where));
      }
    } else if (type.name === 'string') {
      if (data.length < count * type.size) this.file.fail('attribute data is cut short', where);
      for (let i = 0; i < count; i++) {
        let s = data.subarray(i * type.size, (i + 1) * type.size);
        const nul = s.indexOf(0);
        if (nul >= 0) s = s.subarray(0, nul);
        values.push(utf8.decode(s));
      }
    } else {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      if (data.length < count * type.size) this.file.fail('attribute data is cut short', where);
      for (let i = 0; i < Math.min(count, 4096); i++) values.push(readNumber(view, i * type.size, type));
    }
    return scalar ? (values[0] ?? '') : values;
  }

  private async globalHeapString(collection: number, index: number, where: string): Promise<string> {
    let objects = this.heapCache.get(collection);
    if (!objects) {
      const head = await this.file.bytes(collection, 8 + this.file.lengthSize, `global heap for ${where}`);
      if (!(head[0] === 0x47 && head[1] === 0x43 && head[2] === 0x4f && head[3] === 0x4c))
        this.file.fail('global heap has no GCOL signature', where);
      const size = new FieldReader(head, this.file, where, 8).length();
      if (size > MAX_ATTRIBUTE_BYTES) this.file.fail('global heap collection is larger than 256 MB', where);
      const data = await this.file.bytes(collection, size, `global heap for ${where}`);
      objects = new Map();
      let pos = 8 + this.file.lengthSize;
      while (pos + 8 + this.file.lengthSize <= data.length) {
        const id = data[pos] | (data[pos + 1] << 8);
        if (id === 0) break; // free space
        const length = new FieldReader(data, this.file, where, pos + 8).length();
        const start = pos + 8 + this.file.lengthSize;
        if (start + length > data.length) this.file.fail('global heap object runs past its collection', where);
        objects.set(id, data.subarray(start, start + length));
        pos = start + ((length + 7) & ~7);
      }
      this.heapCache.set(collection, objects);
    }
    const bytes = objects.get(index);
    if (!bytes) this.file.fail(`global heap object ${index} is missing`, where);
    return utf8.decode(bytes);
  }
}
