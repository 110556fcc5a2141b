import { columnOf, newColumn } from './column-memory.ts';
import { StringTable, f64, i32, u32, u8 } from './columns.ts';
import { type GraphKind, ValueFlag, type GraphIR } from './ir.ts';

/**
 * Accumulates a model in encounter order (sub-graphs arrive in the middle of their parent's nodes) and
 * `finish()` lays it out as GraphIR: nodes and values sorted into one contiguous range per graph, CSR lists,
 * consumer links, and names that a sub-graph uses from an enclosing graph resolved to the outer value.
 */
/** Up to this many nodes (and twice as many values) are reserved from the caller's size guess. */
const MAX_RESERVED_NODES = 1 << 17;

export class GraphBuilder {
  readonly strings: StringTable;
  readonly metadata: Record<string, string> = {};
  /** Stored records by the format's own type name (GraphIR.layerOps). */
  private readonly layers = new Map<string, number>();
  /** As `layers`, keyed by interned type string id (decoders that intern op names from bytes). */
  private readonly layerIds = new Map<number, number>();

  private readonly gName = u32();
  private readonly gKind = u8();
  private readonly gParent = i32();
  private readonly gParentGraph = i32();
  private readonly gIn: number[][] = [];
  private readonly gOut: number[][] = [];
  /** Per graph: name string id → value id. */
  private readonly scopes: Map<number, number>[] = [];
  private mainScope: Int32Array = new Int32Array(1024).fill(-1);

  private readonly nName = u32();
  private readonly nOp = u32();
  private readonly nGraph = u32();
  private readonly nInStart = u32();
  private readonly nOutStart = u32();
  private readonly nIn = i32();
  private readonly nOut = i32();
  private readonly nSrcOff = f64();
  private readonly nSrcLen = f64();

  private readonly vName = u32();
  private readonly vGraph = u32();
  private readonly vDtype = u8();
  private readonly vFlags = u8();
  private readonly vProducer = i32();
  private readonly vShapeStart = u32();
  private readonly vShapeLen = u32();
  private readonly vDataOff = f64();
  private readonly vDataLen = f64();
  private readonly vEnc = u8();
  private readonly vLoc = i32();
  private readonly dims = f64();
  private readonly syms = i32();

  /** `expectedStrings` presizes the string index (a guess from the file size) so it rarely rehashes. */
  constructor(
    readonly format: string,
    expectedStrings = 0,
  ) {
    this.strings = new StringTable(expectedStrings);
    // A node-heavy model has about one node per four distinct names and one value per two (ONNX exports):
    // reserving that avoids a dozen regrows of every column. Capped like the string table's presizing.
    const nodes = Math.ceil(Math.min(expectedStrings / 4, MAX_RESERVED_NODES));
    for (const c of [this.nName, this.nOp, this.nGraph, this.nInStart, this.nOutStart, this.nSrcOff, this.nSrcLen])
      c.reserve(nodes);
    for (const c of [this.nIn, this.nOut]) c.reserve(nodes * 2);
    for (const c of [this.vName, this.vGraph, this.vDtype, this.vFlags, this.vProducer, this.vShapeStart])
      c.reserve(nodes * 2);
    for (const c of [this.vShapeLen, this.vDataOff, this.vDataLen, this.vEnc, this.vLoc]) c.reserve(nodes * 2);
  }

  get nodeCount(): number {
    return this.nName.length;
  }

  get valueCount(): number {
    return this.vName.length;
  }

  beginGraph(name: string, kind: GraphKind, parentGraph = -1): number {
    this.gName.push(this.strings.intern(name));
    this.gKind.push(kind);
    this.gParent.push(-1);
    this.gParentGraph.push(parentGraph);
    this.gIn.push([]);
    this.gOut.push([]);
    this.scopes.push(new Map());
    return this.gName.length - 1;
  }

  setGraphName(graph: number, name: string): void {
    this.gName.set(graph, this.strings.intern(name));
  }

  /** Links a sub-graph to the node whose attribute holds it (known only once the node is complete). */
  setGraphParent(graph: number, node: number): void {
    this.gParent.set(graph, node);
  }

  /** The value called `name` in `graph`, created on first mention. */
  value(graph: number, name: string): number {
    return this.valueById(graph, this.strings.intern(name));
  }

  /** As value(), with the name already interned (decoders that intern from bytes). */
  valueById(graph: number, nameId: number): number {
    // The main graph holds nearly every value: a dense string-id → value table beats a Map there.
    if (graph === 0) {
      if (nameId >= this.mainScope.length)
        this.mainScope = growFilled(this.mainScope, Math.max(nameId + 1, this.mainScope.length * 2));
      const known = this.mainScope[nameId];
      if (known >= 0) return known;
      const id = this.newValue(0, nameId);
      this.mainScope[nameId] = id;
      return id;
    }
    const scope = this.scopes[graph];
    let id = scope.get(nameId);
    if (id === undefined) {
      id = this.newValue(graph, nameId);
      scope.set(nameId, id);
    }
    return id;
  }

  private lookup(graph: number, nameId: number): number | undefined {
    if (graph !== 0) return this.scopes[graph].get(nameId);
    const v = nameId < this.mainScope.length ? this.mainScope[nameId] : -1;
    return v >= 0 ? v : undefined;
  }

  private newValue(graph: number, nameId: number): number {
    const id = this.vName.push(nameId);
    this.vGraph.push(graph);
    this.vDtype.push(0);
    this.vFlags.push(0);
    this.vProducer.push(-1);
    this.vShapeStart.push(0);
    this.vShapeLen.push(0);
    this.vDataOff.push(-1);
    this.vDataLen.push(0);
    this.vEnc.push(0);
    this.vLoc.push(-1);
    return id;
  }

  /** Sets dtype and shape; `symbols[i]` names a symbolic dimension (dims[i] is then -1). */
  setValueType(value: number, dtype: number, dims: ArrayLike<number> | null, symbols?: ArrayLike<string | null>): void {
    if (dtype) this.vDtype.set(value, dtype);
    if (!dims) return;
    this.vShapeStart.set(value, this.dims.length);
    this.vShapeLen.set(value, dims.length);
    for (let i = 0; i < dims.length; i++) {
      const sym = symbols?.[i];
      this.dims.push(sym ? -1 : dims[i]);
      this.syms.push(sym ? this.strings.intern(sym) : -1);
    }
    this.vFlags.set(value, this.vFlags.get(value) | ValueFlag.HasShape);
  }

  hasShape(value: number): boolean {
    return (this.vFlags.get(value) & ValueFlag.HasShape) !== 0;
  }

  addFlags(value: number, flags: number): void {
    this.vFlags.set(value, this.vFlags.get(value) | flags);
  }

  flags(value: number): number {
    return this.vFlags.get(value);
  }

  setValueData(value: number, offset: number, length: number, encoding = 0, location = ''): void {
    this.vDataOff.set(value, offset);
    this.vDataLen.set(value, length);
    this.vEnc.set(value, encoding);
    if (location) {
      this.vLoc.set(value, this.strings.intern(location));
      this.addFlags(value, ValueFlag.External);
    }
  }

  addGraphInput(graph: number, value: number): void {
    this.gIn[graph].push(value);
    this.addFlags(value, ValueFlag.GraphInput);
  }

  addGraphOutput(graph: number, value: number): void {
    this.gOut[graph].push(value);
    this.addFlags(value, ValueFlag.GraphOutput);
  }

  /** Removes graph inputs that are initializers (ONNX lists weights as inputs in older IR versions). */
  dropInitializerInputs(graph: number): void {
    const kept = this.gIn[graph].filter((v) => {
      const init = (this.vFlags.get(v) & ValueFlag.Initializer) !== 0;
      if (init) this.vFlags.set(v, this.vFlags.get(v) & ~ValueFlag.GraphInput);
      return !init;
    });
    this.gIn[graph] = kept;
  }

  /**
   * Counts one record the file stores (GraphIR.layerOps), whether or not it becomes a node: a constant, an
   * input declaration and an operator are all layers to the format's own tools.
   */
  countLayer(type: string, count = 1): void {
    this.layers.set(type, (this.layers.get(type) ?? 0) + count);
  }

  /** As countLayer(), with the type already a string id; resolved to its text in finish(). */
  countLayerById(typeId: number): void {
    this.layerIds.set(typeId, (this.layerIds.get(typeId) ?? 0) + 1);
  }

  /** Inputs/outputs are value ids (or -1 for an omitted optional input). */
  addNode(
    graph: number,
    name: string,
    op: string,
    inputs: ArrayLike<number>,
    outputs: ArrayLike<number>,
    sourceOffset = -1,
    sourceLength = 0,
  ): number {
    return this.addNodeById(
      graph,
      this.strings.append(name),
      this.strings.intern(op),
      inputs,
      outputs,
      sourceOffset,
      sourceLength,
    );
  }

  /**
   * As addNode(), with name and op already string ids. `inputCount`/`outputCount` take the first items of reused
   * id buffers.
   */
  addNodeById(
    graph: number,
    nameId: number,
    opId: number,
    inputs: ArrayLike<number>,
    outputs: ArrayLike<number>,
    sourceOffset = -1,
    sourceLength = 0,
    inputCount = inputs.length,
    outputCount = outputs.length,
  ): number {
    const id = this.nName.push(nameId);
    this.nOp.push(opId);
    this.nGraph.push(graph);
    this.nInStart.push(this.nIn.length);
    for (let i = 0; i < inputCount; i++) this.nIn.push(inputs[i]);
    this.nOutStart.push(this.nOut.length);
    for (let i = 0; i < outputCount; i++) {
      const v = outputs[i];
      this.nOut.push(v);
      if (v >= 0) this.vProducer.set(v, id);
    }
    this.nSrcOff.push(sourceOffset);
    this.nSrcLen.push(sourceLength);
    return id;
  }

  /** Per value: itself, or the value of an enclosing graph that its name refers to. */
  private outerAliases(valueCount: number): Int32Array {
    const vGraph = this.vGraph.data;
    const vFlags = this.vFlags.data;
    const vProducer = this.vProducer.data;
    const alias = new Int32Array(valueCount);
    for (let v = 0; v < valueCount; v++) {
      alias[v] = v;
      if (vProducer[v] >= 0 || vFlags[v] & (ValueFlag.Initializer | ValueFlag.GraphInput)) continue;
      const name = this.vName.data[v];
      for (let g = this.gParentGraph.get(vGraph[v]); g >= 0; g = this.gParentGraph.get(g)) {
        const outer = this.lookup(g, name);
        if (outer !== undefined) {
          alias[v] = outer;
          break;
        }
      }
    }
    // An outer value found in an intermediate graph may itself be a reference further out.
    for (let v = 0; v < valueCount; v++) {
      let a = alias[v];
      while (alias[a] !== a) a = alias[a];
      alias[v] = a;
    }
    return alias;
  }

  finish(): GraphIR {
    const graphCount = this.gName.length;
    const nodeCount = this.nName.length;
    const valueCount = this.vName.length;
    const vGraph = this.vGraph.data;
    const vFlags = this.vFlags.data;
    const vProducer = this.vProducer.data;

    // A sub-graph may use a name defined in an enclosing graph: point it at the outer value.
    const alias = graphCount > 1 ? this.outerAliases(valueCount) : null;

    // Stable sort of nodes and values by graph gives each graph one contiguous range. A model without sub-graphs
    // (nearly every large one) is in order already, and its columns are then copied as they are.
    const nodeOrder = orderByGraph(this.nGraph.data, nodeCount, graphCount);
    const valueOrder = orderByGraph(vGraph, valueCount, graphCount);
    const nodeNew = nodeOrder.order ? inverse(nodeOrder.order) : null;
    const valueNew = valueOrder.order ? inverse(valueOrder.order) : null;
    const mapValue = (v: number) => (v < 0 ? -1 : remap(valueNew, alias ? alias[v] : v));
    const nodeIds = nodeOrder.order;
    const valueIds = valueOrder.order;

    const nodeName = take(this.nName.data, nodeIds, nodeCount);
    const nodeOp = take(this.nOp.data, nodeIds, nodeCount);
    const nodeGraph = take(this.nGraph.data, nodeIds, nodeCount);
    const nodeSourceOffset = take(this.nSrcOff.data, nodeIds, nodeCount);
    const nodeSourceLength = take(this.nSrcLen.data, nodeIds, nodeCount);
    const nodeInputOffsets = newColumn(Uint32Array, nodeCount + 1);
    const nodeOutputOffsets = newColumn(Uint32Array, nodeCount + 1);
    let nodeInputs: Int32Array;
    let nodeOutputs: Int32Array;
    if (!nodeIds && !valueIds && !alias) {
      nodeInputOffsets.set(this.nInStart.data.subarray(0, nodeCount));
      nodeInputOffsets[nodeCount] = this.nIn.length;
      nodeOutputOffsets.set(this.nOutStart.data.subarray(0, nodeCount));
      nodeOutputOffsets[nodeCount] = this.nOut.length;
      nodeInputs = columnOf(this.nIn.data, this.nIn.length);
      nodeOutputs = columnOf(this.nOut.data, this.nOut.length);
    } else {
      nodeInputs = newColumn(Int32Array, this.nIn.length);
      nodeOutputs = newColumn(Int32Array, this.nOut.length);
      const inStart = this.nInStart.data;
      const outStart = this.nOutStart.data;
      const nIn = this.nIn.data;
      const nOut = this.nOut.data;
      let inPos = 0;
      let outPos = 0;
      for (let i = 0; i < nodeCount; i++) {
        const o = nodeIds ? nodeIds[i] : i;
        nodeInputOffsets[i] = inPos;
        const inEnd = o + 1 < nodeCount ? inStart[o + 1] : this.nIn.length;
        for (let k = inStart[o]; k < inEnd; k++) nodeInputs[inPos++] = mapValue(nIn[k]);
        nodeOutputOffsets[i] = outPos;
        const outEnd = o + 1 < nodeCount ? outStart[o + 1] : this.nOut.length;
        for (let k = outStart[o]; k < outEnd; k++) nodeOutputs[outPos++] = mapValue(nOut[k]);
      }
      nodeInputOffsets[nodeCount] = inPos;
      nodeOutputOffsets[nodeCount] = outPos;
    }

    const valueName = take(this.vName.data, valueIds, valueCount);
    const valueDtype = take(this.vDtype.data, valueIds, valueCount);
    const valueFlags = take(vFlags, valueIds, valueCount);
    const valueGraph = take(vGraph, valueIds, valueCount);
    const valueProducer = take(vProducer, valueIds, valueCount);
    if (nodeNew)
      for (let i = 0; i < valueCount; i++) if (valueProducer[i] >= 0) valueProducer[i] = nodeNew[valueProducer[i]];
    const valueDataOffset = take(this.vDataOff.data, valueIds, valueCount);
    const valueDataLength = take(this.vDataLen.data, valueIds, valueCount);
    const valueDataEncoding = take(this.vEnc.data, valueIds, valueCount);
    const valueLocation = take(this.vLoc.data, valueIds, valueCount);
    const valueShapeOffsets = newColumn(Uint32Array, valueCount + 1);
    let shapeTotal = 0;
    for (let v = 0; v < valueCount; v++) shapeTotal += this.vShapeLen.data[v];
    const valueShapeDims = newColumn(Float64Array, shapeTotal);
    const valueShapeSymbols = newColumn(Int32Array, shapeTotal);
    let shapePos = 0;
    for (let i = 0; i < valueCount; i++) {
      const o = valueIds ? valueIds[i] : i;
      valueShapeOffsets[i] = shapePos;
      const s = this.vShapeStart.data[o];
      const len = this.vShapeLen.data[o];
      for (let k = 0; k < len; k++) {
        valueShapeDims[shapePos] = this.dims.data[s + k];
        valueShapeSymbols[shapePos++] = this.syms.data[s + k];
      }
    }
    valueShapeOffsets[valueCount] = shapePos;

    // Consumers: count, prefix-sum, fill.
    const valueConsumerOffsets = newColumn(Uint32Array, valueCount + 1);
    for (let k = 0; k < nodeInputs.length; k++) if (nodeInputs[k] >= 0) valueConsumerOffsets[nodeInputs[k] + 1]++;
    for (let v = 0; v < valueCount; v++) valueConsumerOffsets[v + 1] += valueConsumerOffsets[v];
    const valueConsumers = newColumn(Uint32Array, valueConsumerOffsets[valueCount]);
    const fill = valueConsumerOffsets.slice(0, valueCount);
    for (let n = 0; n < nodeCount; n++) {
      for (let k = nodeInputOffsets[n]; k < nodeInputOffsets[n + 1]; k++) {
        const v = nodeInputs[k];
        if (v >= 0) valueConsumers[fill[v]++] = n;
      }
    }

    const csr = (lists: number[][]) => {
      const offsets = new Uint32Array(lists.length + 1);
      const flat: number[] = [];
      lists.forEach((l, g) => {
        offsets[g] = flat.length;
        for (const v of l) flat.push(mapValue(v));
      });
      offsets[lists.length] = flat.length;
      return { offsets, flat: Uint32Array.from(flat) };
    };
    const gin = csr(this.gIn);
    const gout = csr(this.gOut);
    const graphParentNode = new Int32Array(graphCount);
    for (let g = 0; g < graphCount; g++) {
      const p = this.gParent.get(g);
      graphParentNode[g] = p >= 0 ? remap(nodeNew, p) : -1;
    }

    const strings = this.strings.finish();
    for (const [id, count] of this.layerIds) this.countLayer(strings.at(id) ?? '', count);
    this.layerIds.clear();
    return {
      format: this.format,
      metadata: this.metadata,
      layerOps: sortedCounts(this.layers),
      strings,
      graphCount,
      graphName: this.gName.toArray(),
      graphKind: this.gKind.toArray(),
      graphParentNode,
      graphNodeStart: nodeOrder.start,
      graphNodeCount: nodeOrder.count,
      graphValueStart: valueOrder.start,
      graphValueCount: valueOrder.count,
      graphInputOffsets: gin.offsets,
      graphInputs: gin.flat,
      graphOutputOffsets: gout.offsets,
      graphOutputs: gout.flat,
      nodeCount,
      nodeName,
      nodeOp,
      nodeGraph,
      nodeInputOffsets,
      nodeInputs,
      nodeOutputOffsets,
      nodeOutputs,
      nodeSourceOffset,
      nodeSourceLength,
      valueCount,
      valueName,
      valueDtype,
      valueFlags,
      valueGraph,
      valueProducer,
      valueShapeOffsets,
      valueShapeDims,
      valueShapeSymbols,
      valueDataOffset,
      valueDataLength,
      valueDataEncoding,
      valueLocation,
      valueConsumerOffsets,
      valueConsumers,
    };
  }
}

function sortedCounts(counts: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of [...counts.keys()].sort()) out[key] = counts.get(key)!;
  return out;
}

/** Counting sort by graph id: stable, O(n). `order` is null when the items are in graph order already. */
function orderByGraph(graphOf: Uint32Array, n: number, graphCount: number) {
  const count = new Uint32Array(graphCount);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    count[graphOf[i]]++;
    if (i > 0 && graphOf[i] < graphOf[i - 1]) sorted = false;
  }
  const start = new Uint32Array(graphCount);
  for (let g = 1; g < graphCount; g++) start[g] = start[g - 1] + count[g - 1];
  if (sorted) return { order: null, start, count };
  const fill = start.slice();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[fill[graphOf[i]]++] = i;
  return { order, start, count };
}

type Column = Uint8Array | Uint32Array | Int32Array | Float64Array;

/** The first `n` items of a column, in `order` when given. */
function take<T extends Column>(data: T, order: Uint32Array | null, n: number): T {
  if (!order) return columnOf(data, n);
  const out = newColumn(
    data.constructor as { new (n: number): T; new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
    n,
  );
  for (let i = 0; i < n; i++) out[i] = data[order[i]];
  return out;
}

function remap(newIds: Uint32Array | null, id: number): number {
  return newIds ? newIds[id] : id;
}

function inverse(order: Uint32Array): Uint32Array {
  const inv = new Uint32Array(order.length);
  for (let i = 0; i < order.length; i++) inv[order[i]] = i;
  return inv;
}

function growFilled(a: Int32Array, length: number): Int32Array {
  const next = new Int32Array(length).fill(-1);
  next.set(a);
  return next;
}
