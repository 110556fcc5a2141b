import type { ByteSource } from '../io/byte-source.ts';
import { openModel, type OpenModel } from '../decoder.ts';
import { buildCheckpointIR } from './build-ir.ts';
import { checkpointNodeDetails } from './details.ts';
import { readHfCompanions } from './hf-config.ts';
import type { Checkpoint } from './stored-tensor.ts';

/** The open model of a weights-only checkpoint: its IR and the per-node tensor details. */
export function openCheckpoint(source: ByteSource, checkpoint: Checkpoint): OpenModel {
  const { ir, origins } = buildCheckpointIR(checkpoint);
  return openModel(ir, source, async (node) => checkpointNodeDetails(origins[node], checkpoint.tensors));
}

/** Adds a Hugging Face folder's config files (when reachable beside the weights) to the checkpoint's metadata. */
export async function withHfConfig(source: ByteSource, checkpoint: Checkpoint): Promise<Checkpoint> {
  const hf = await readHfCompanions(source);
  if (!hf.files.length) return checkpoint;
  return {
    ...checkpoint,
    architecture: checkpoint.architecture || hf.modelType,
    metadata: { ...checkpoint.metadata, 'hugging face files': hf.files.join(', '), ...hf.metadata },
  };
}
