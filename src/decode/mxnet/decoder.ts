import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag } from '../../graph/ir.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { DecodeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { isJsonObject, readJsonFile, type Json } from '../json-file.ts';
import { mxnetNodeDetails } from './details.ts';
import { paramsFileNames, readParamsIndex, type MxArray } from './params.ts';

/**
 * MXNet symbol JSON (`model-symbol.json`): `nodes` (op, name, inputs `[[node, output, version]]`, `attrs` / legacy
 * `attr` / `param`), `arg_nodes`, `heads`. Operator nodes become IR nodes; `null` nodes are variables: those stored
 * in the `.params` file beside the symbol (located there by range, with their dtype and shape), or else named like
 * parameters (or given a `__shape__`), are constants; the rest are graph inputs. layerOps counts the non-`null`
 * nodes, as MXNet lists operators.
 */

/** Outputs of one operator: more is not a real symbol. */
const MAX_OUTPUTS = 65536;
const PARAM_NAME =
  /_(weight|bias|gamma|beta|moving_mean|moving_var|running_mean|running_var|alpha|parameters|i2h_weight|h2h_weight|i2h_bias|h2h_bias)$/;

interface MxNode {
  op: string;
  name: string;
  inputs: [number, number][];
  attrs: Record<string, string>;
}

function parseSymbol(json: Json, file: string): { nodes: MxNode[]; heads: [number, number][]; version: string } {
  if (!isJsonObject(json) || !Array.isArray(json.nodes))
    throw new DecodeError('not an MXNet symbol: no "nodes" list', file, 'nodes');
  const ref = (r: Json, where: string): [number, number] => {
    if (!Array.isArray(r) || typeof r[0] !== 'number' || !Number.isSafeInteger(r[0]))
      throw new DecodeError(`${where}: an input must be [node, output, …]`, file, where);
    const idx = typeof r[1] === 'number' && Number.isSafeInteger(r[1]) && r[1] >= 0 ? r[1] : 0;
    if (idx > MAX_OUTPUTS)
      throw new DecodeError(`${where}: output index ${idx} is more than ${MAX_OUTPUTS}`, file, where);
    return [r[0], idx];
  };
  const nodes = json.nodes.map((n, i): MxNode => {
    if (!isJsonObject(n) || typeof n.op !== 'string')
      throw new DecodeError(`nodes[${i}] has no "op"`, file, `nodes[${i}].op`);
    const raw = isJsonObject(n.attrs) ? n.attrs : isJsonObject(n.attr) ? n.attr : isJsonObject(n.param) ? n.param : {};
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) attrs[k] = typeof v === 'string' ? v : JSON.stringify(v);
    const inputs = Array.isArray(n.inputs) ? n.inputs.map((r, k) => ref(r, `nodes[${i}].inputs[${k}]`)) : [];
    return { op: n.op, name: typeof n.name === 'string' ? n.name : `node${i}`, inputs, attrs };
  });
  nodes.forEach((n, i) => {
    for (const [src] of n.inputs) {
      if (src < 0 || src >= i)
        throw new DecodeError(
          `node "${n.name}" reads node ${src}, which is not an earlier node`,
          file,
          `nodes[${i}].inputs`,
        );
    }
  });
  const heads = Array.isArray(json.heads) ? json.heads.map((r, k) => ref(r, `heads[${k}]`)) : [];
  for (const [h] of heads)
    if (h < 0 || h >= nodes.length) throw new DecodeError(`heads name node ${h}, which does not exist`, file, 'heads');
  let version = '';
  if (isJsonObject(json.attrs) && Array.isArray(json.attrs.mxnet_version))
    version = String(json.attrs.mxnet_version[1] ?? '');
  return { nodes, heads, version };
}

function shapeOf(s: string | undefined): number[] | null {
  if (!s) return null;
  const m = /^\s*[([]\s*([-\d\s,L]*)[)\]]\s*$/.exec(s);
  if (!m) return null;
  const dims = m[1]
    .split(',')
    .map((d) => d.trim().replace(/L$/, ''))
    .filter((d) => d)
    .map(Number);
  return dims.every((d) => Number.isSafeInteger(d)) ? dims.map((d) => (d > 0 ? d : -1)) : null;
}

/** The NDArray list beside the symbol, if one can be reached; a damaged one leaves the weights unlocated, and says why. */
async function findParams(
  source: ByteSource,
): Promise<{ file: string; arrays: Map<string, MxArray>; problem?: string } | null> {
  if (!source.sibling) return null;
  for (const name of paramsFileNames(source.name)) {
    const file = await source.sibling(name).catch(() => null);
    if (!file) continue;
    try {
      return { file: name, arrays: await readParamsIndex(file) };
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      return { file: name, arrays: new Map(), problem: err.message };
    } finally {
      await file.close?.().catch(() => undefined);
    }
  }
  return null;
}

/** Decodes the symbol; each operator's attributes are kept for its details. */
export async function openMxnet(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const file = source.name;
  const json = await readJsonFile(source, 'an MXNet symbol file', 'json');
  options.onProgress?.(source.size, source.size);
  const { nodes, heads, version } = parseSymbol(json, file);
  const b = new GraphBuilder('mxnet');
  b.beginGraph('symbol', GraphKind.Main);
  if (version) b.metadata.mxnet_version = version;
  const outCount = nodes.map(() => 1);
  for (const n of nodes) for (const [src, idx] of n.inputs) outCount[src] = Math.max(outCount[src], idx + 1);
  for (const [h, idx] of heads) outCount[h] = Math.max(outCount[h], idx + 1);
  const valueIdOf = (node: number, idx: number) =>
    b.value(0, idx === 0 ? nodes[node].name : `${nodes[node].name}:${idx}`);
  const details: Record<string, string>[] = [];
  const weights = await findParams(source);
  let params = 0;
  let located = 0;
  nodes.forEach((n, i) => {
    if (n.op === 'null') {
      const v = valueIdOf(i, 0);
      const shape = shapeOf(n.attrs.__shape__);
      const stored = weights?.arrays.get(n.name);
      if (stored) {
        b.setValueType(v, stored.dtype, stored.dims);
        b.setValueData(v, stored.offset, stored.length, 0, weights!.file);
        located++;
      } else b.setValueType(v, 1, shape);
      if (stored || PARAM_NAME.test(n.name) || (shape && !/data|label|input/i.test(n.name))) {
        b.addFlags(v, ValueFlag.Initializer);
        params++;
      } else b.addGraphInput(0, v);
      return;
    }
    b.countLayer(n.op);
    const ins = n.inputs.map(([src, idx]) => valueIdOf(src, idx));
    const outs = Array.from({ length: outCount[i] }, (_, k) => valueIdOf(i, k));
    b.addNode(0, n.name, n.op, ins, outs);
    details.push(n.attrs);
  });
  for (const [h, idx] of heads) b.addGraphOutput(0, valueIdOf(h, idx));
  b.metadata.weights = !weights
    ? `${params} parameters named (no .params file found beside the symbol)`
    : weights.problem
      ? `${params} parameters named; ${weights.file} could not be read: ${weights.problem}`
      : `${params} parameters, ${located} located in ${weights.file}`;
  const ir = b.finish();
  return openModel(ir, source, async (node) => mxnetNodeDetails(details[node]));
}
