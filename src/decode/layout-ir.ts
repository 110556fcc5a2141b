import { copyColumns } from '../graph/column-buffers.ts';
import type { GraphIR } from '../graph/ir.ts';

/**
 * A transferable copy of `ir` for the layout worker, with a string table of only what grouping and layout read:
 * node names (scopes), op types, graph names, shape symbols, locations and the names of graph inputs and outputs
 * (drawn around the view). Other value names all become one ''. Value names are most of the table (62% of the
 * strings and two thirds of the characters of a 100k-node chain): left out, the decode → layout hop packs,
 * clones and slices back a third of the text and well under half the strings, and the layout worker does not
 * hold a second copy of them. String ids are renumbered: they mean nothing outside the copy's own table.
 */
export function layoutIR(ir: GraphIR): GraphIR {
  const copy = copyColumns(ir);
  const strings: string[] = [];
  const newId = new Int32Array(ir.strings.length).fill(-1);
  const keep = (s: number): number => {
    if (newId[s] < 0) newId[s] = strings.push(ir.strings[s] ?? '') - 1;
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
  remap(copy.valueLocation);
  const empty = strings.push('') - 1;
  for (let v = 0; v < valueName.length; v++) valueName[v] = ends[v] ? keep(valueName[v]) : empty;
  return { ...copy, strings };
}
