import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { readProgram, type PdBlock, type PdProgram } from './program.ts';
import { PADDLE_DTYPE } from './schema.ts';
import { paddleNodeDetails } from './details.ts';

/**
 * PaddlePaddle inference program (`.pdmodel`, older `__model__`): a protobuf ProgramDesc of blocks of vars and
 * ops. Block 0 is the main graph; `feed` ops name its inputs and `fetch` ops its outputs (neither becomes a node);
 * an op whose block / blocks attribute names another block (while, conditional_block, ...) owns that block as a
 * sub-graph. Persistable vars are the weights; their bytes are in the separate `.pdiparams` file, not read here.
 */

const MAX_PROGRAM = 256 << 20;
const MAX_NESTING = 64;

function build(program: PdProgram, file: string, options: DecodeOptions): GraphIR {
  const b = new GraphBuilder('paddle');
  const blocks = program.blocks;
  if (!blocks.length) throw new DecodeError('the program has no blocks', file, 'ProgramDesc.blocks');
  b.metadata.blocks = String(blocks.length);
  if (program.version >= 0) b.metadata.version = String(program.version);
  let ops = 0;
  for (const blk of blocks) ops += blk.ops.length;
  b.metadata.ops = String(ops);
  const built = new Set<number>();

  const buildBlock = (blk: PdBlock, graph: number, depth: number): void => {
    built.add(blk.idx);
    const valueIdOf = (name: string): number => {
      const known = b.valueCount;
      const v = b.value(graph, name);
      if (v === known) {
        const desc = blk.vars.get(name);
        if (desc) {
          if (desc.dims)
            b.setValueType(
              v,
              PADDLE_DTYPE[desc.dtype] ?? 0,
              desc.dims.map((d) => (d >= 0 ? d : -1)),
            );
          if (desc.persistable) b.addFlags(v, ValueFlag.Initializer);
        }
      }
      return v;
    };
    const feeds: [number, number][] = [];
    const fetches: [number, number][] = [];
    blk.ops.forEach((op, i) => {
      options.checkCancelled?.();
      if (graph === 0 && (op.type === 'feed' || op.type === 'fetch')) {
        const list = op.type === 'feed' ? feeds : fetches;
        const names = (op.type === 'feed' ? op.outputs : op.inputs).flatMap((s) => s.args);
        for (const n of names) list.push([op.col >= 0 ? op.col : list.length, valueIdOf(n)]);
        return;
      }
      // layerOps counts block 0's operators without feed/fetch, as Paddle's program summary does.
      if (graph === 0) b.countLayer(op.type || '(no type)');
      const ins = op.inputs.flatMap((s) => s.args.map(valueIdOf));
      const outs = op.outputs.flatMap((s) => s.args.map(valueIdOf));
      const subs: number[] = [];
      for (const idx of op.blocks) {
        const sub = blocks.find((x) => x.idx === idx);
        if (!sub)
          throw new DecodeError(
            `op ${i} (${op.type}) refers to block ${idx}, which does not exist`,
            file,
            `blocks[${blk.idx}].ops[${i}].attrs`,
          );
        if (built.has(idx))
          throw new DecodeError(
            `block ${idx} is used twice or contains itself`,
            file,
            `blocks[${blk.idx}].ops[${i}].attrs`,
          );
        if (depth >= MAX_NESTING)
          throw new DecodeError(`blocks nested deeper than ${MAX_NESTING}`, file, `blocks[${idx}]`);
        const g = b.beginGraph(`block_${idx}`, GraphKind.Subgraph, graph);
        buildBlock(sub, g, depth + 1);
        subs.push(g);
      }
      const first = op.outputs.find((s) => s.args.length)?.args[0];
      const node = b.addNode(
        graph,
        first ? `${op.type}:${first}` : `${op.type}_${i}`,
        op.type || '(no type)',
        ins,
        outs,
        op.offset,
        op.length,
      );
      for (const g of subs) b.setGraphParent(g, node);
    });
    feeds.sort((x, y) => x[0] - y[0]).forEach(([, v]) => b.addGraphInput(graph, v));
    fetches.sort((x, y) => x[0] - y[0]).forEach(([, v]) => b.addGraphOutput(graph, v));
  };

  const main = blocks.find((x) => x.idx === 0) ?? blocks[0];
  b.beginGraph('main', GraphKind.Main);
  buildBlock(main, 0, 0);
  return b.finish();
}

async function decodePaddle(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  if (source.size === 0) throw new DecodeError('empty file', source.name, 'file');
  if (source.size > MAX_PROGRAM)
    throw new DecodeError(
      `too large for a Paddle program (${source.size} bytes; weights belong in .pdiparams)`,
      source.name,
      'file',
    );
  const program = await readProgram(source);
  options.onProgress?.(source.size, source.size);
  return build(program, source.name, options);
}

export async function openPaddle(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const ir = await decodePaddle(source, options);
  return openModel(ir, source, (node) => paddleNodeDetails(source, ir, node));
}
