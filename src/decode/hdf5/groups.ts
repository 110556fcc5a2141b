import { FieldReader, utf8, type Hdf5Reader } from './fields.ts';

/**
 * Old-style HDF5 groups (what h5py writes by default): a version-1 B-tree whose leaves are symbol nodes, each
 * entry naming a child by an offset into the group's local heap and pointing at its object header.
 */

const MAX_BTREE_DEPTH = 64;

/** Old-style group: walk the v1 B-tree to its symbol nodes; names live in the local heap. */
export async function readSymbolTable(
  file: Hdf5Reader,
  btree: number,
  heapAddress: number,
  out: Map<string, number>,
  path: string,
): Promise<void> {
  const heapHead = await file.bytes(heapAddress, 8 + 2 * file.lengthSize + file.offsetSize, `local heap of ${path}`);
  if (!(heapHead[0] === 0x48 && heapHead[1] === 0x45 && heapHead[2] === 0x41 && heapHead[3] === 0x50))
    file.fail('local heap has no HEAP signature', path);
  const hr = new FieldReader(heapHead, file, path, 8);
  const heapSize = hr.length();
  hr.length();
  const heapData = await file.bytes(hr.address(), heapSize, `local heap of ${path}`);
  const seen = new Set<number>();
  const walk = async (node: number, depth: number): Promise<void> => {
    if (depth > MAX_BTREE_DEPTH) file.fail('group B-tree is too deep', path);
    if (seen.has(node)) file.fail('group B-tree has a cycle', path);
    seen.add(node);
    const headLen = 8 + 2 * file.offsetSize;
    const head = await file.bytes(node, headLen, `group B-tree of ${path}`);
    if (!(head[0] === 0x54 && head[1] === 0x52 && head[2] === 0x45 && head[3] === 0x45))
      file.fail('group B-tree node has no TREE signature', path);
    if (head[4] !== 0) file.fail(`group B-tree node has type ${head[4]}, not 0`, path);
    const level = head[5];
    const used = head[6] | (head[7] << 8);
    const body = await file.bytes(
      node + headLen,
      (used + 1) * file.lengthSize + used * file.offsetSize,
      `group B-tree of ${path}`,
    );
    const r = new FieldReader(body, file, path);
    const children: number[] = [];
    for (let i = 0; i < used; i++) {
      r.length(); // key
      children.push(r.address());
    }
    for (const child of children) {
      if (level > 0) await walk(child, depth + 1);
      else await readSymbolNode(file, child, heapData, out, path);
    }
  };
  await walk(btree, 0);
}

async function readSymbolNode(
  file: Hdf5Reader,
  address: number,
  heap: Uint8Array,
  out: Map<string, number>,
  path: string,
): Promise<void> {
  const head = await file.bytes(address, 8, `symbol node of ${path}`);
  if (!(head[0] === 0x53 && head[1] === 0x4e && head[2] === 0x4f && head[3] === 0x44))
    file.fail('symbol node has no SNOD signature', path);
  const count = head[6] | (head[7] << 8);
  const entrySize = 2 * file.offsetSize + 24;
  const body = await file.bytes(address + 8, count * entrySize, `symbol node of ${path}`);
  for (let i = 0; i < count; i++) {
    const r = new FieldReader(body, file, path, i * entrySize);
    const nameOffset = r.offset();
    const header = r.address();
    if (nameOffset < 0 || nameOffset >= heap.length) file.fail('symbol name lies outside the local heap', path);
    let end = nameOffset;
    while (end < heap.length && heap[end] !== 0) end++;
    out.set(utf8.decode(heap.subarray(nameOffset, end)), header);
  }
}
