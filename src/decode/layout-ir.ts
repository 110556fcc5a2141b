import { copyColumns, isShared } from '../graph/column-buffers.ts';
import type { GraphIR } from '../graph/ir.ts';
import { i32 } from '../graph/columns.ts';
import { pickStrings } from '../graph/string-list.ts';

/**
 * A transferable copy of `ir` for the layout worker, with only the columns and strings grouping and layout read.
 * Its string table holds node names (scopes), op types, graph names, shape symbols and the names of graph inputs
 * and outputs (drawn around the view); every other value name becomes one ''. Value names are most of the table
 * (62% of the strings and two thirds of the characters of a 100k-node chain): left out, the decode → layout hop
 * packs, clones and slices back a third of the text and well under half the strings, and the layout worker does
 * not hold a second copy of them. String ids are renumbered: they mean nothing outside the copy's own table. Columns
 * in shared memory (see shareColumns) are shared, not copied, except the five whose string ids are renumbered.
 */
export function layoutIR(ir: GraphIR): GraphIR {
  // Where records and payloads lie in the file is for the decode worker's readers: empty here, not copied (a third
  // of the column bytes of a 1M-node chain).
  const copy = copyColumns({
    ...ir,
    nodeSourceOffset: new Float64Array(0),
    nodeSourceLength: new Float64Array(0),
    valueDataOffset: new Float64Array(0),
    valueDataLength: new Float64Array(0),
    valueDataEncoding: new Uint8Array(0),
    valueLocation: new Int32Array(0),
  });
  // The string ids below are rewritten: those columns must be the copy's own even where the rest are shared.
  const own = <T extends Uint32Array | Int32Array>(a: T): T => (isShared(a) ? (a.slice() as T) : a);
  copy.nodeOp = own(copy.nodeOp);
  copy.nodeName = own(copy.nodeName);
  copy.graphName = own(copy.graphName);
  copy.valueName = own(copy.valueName);
  copy.valueShapeSymbols = own(copy.valueShapeSymbols);
  // Old id of each kept string, by new id; the table is cut from the model's once they are all known.
  const picked = i32();
  const newId = new Int32Array(ir.strings.length).fill(-1);
  const keep = (s: number): number => {
    if (newId[s] < 0) newId[s] = picked.push(s);
    return newId[s];
  };
  const remap = (ids: Uint32Array | Int32Array) => {
    for (let i = 0; i < ids.length; i++) if (ids[i] >= 0) ids[i] = keep(ids[i]);
  };
  // Graph-end names first, so the value-name pass below can tell them apart from the dropped ones.
  const { valueName } = copy;
  const ends = new Uint8Array(ir.valueCount);
  for (const list of [ir.graphInputs, ir.graphOutputs]) for (let i = 0; i < list.length; i++) ends[list[i]] = 1;
  remap(copy.nodeOp);
  remap(copy.nodeName);
  remap(copy.graphName);
  remap(copy.valueShapeSymbols);
  // One '' for every dropped name (-1: pickStrings' empty string).
  const empty = picked.push(-1);
  for (let v = 0; v < valueName.length; v++) valueName[v] = ends[v] ? keep(valueName[v]) : empty;
  const strings = pickStrings(ir.strings, picked.data.subarray(0, picked.length));
  return { ...copy, strings };
}
