/**
 * The module a group of tensors belongs to, and what kind of module it looks like. A state_dict stores
 * `<module path>.<tensor>`; the module's kind is not stored, so it is read off its tensors' names and ranks.
 */

/** `a.b.weight` → `a.b`; a name without a dot is its own module. */
export function modulePathOf(tensorName: string): string {
  const cut = tensorName.lastIndexOf('.');
  return cut > 0 ? tensorName.slice(0, cut) : tensorName;
}

export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

const EMBEDDING =
  /(^|_)(embed|embedding|embeddings|wte|wpe|embd|tok_embeddings|word_embeddings|position_embeddings|embed_tokens|embed_positions)$/;
const NORM = /(norm|^ln|_ln$|^ln_|layernorm|layer_norm)/i;

export interface ModuleTensorView {
  leaf: string;
  rank: number;
}

/** Op name for a module from its own tensors (leaf names and ranks) and its path. */
export function inferModuleKind(path: string, tensors: readonly ModuleTensorView[], optimizer: boolean): string {
  if (optimizer) return 'OptimizerState';
  const leaves = new Map(tensors.map((t) => [t.leaf, t.rank]));
  if (leaves.has('running_mean') || leaves.has('running_var')) return 'BatchNorm';
  const weightRank = leaves.get('weight') ?? -1;
  const last = lastSegment(path);
  if (weightRank === 2 && EMBEDDING.test(last)) return 'Embedding';
  if (weightRank === 1 && NORM.test(last)) return leaves.has('bias') ? 'LayerNorm' : 'RMSNorm';
  if (weightRank === 2) return 'Linear';
  if (weightRank >= 3 && weightRank <= 5) return `Conv${weightRank - 2}d`;
  if (weightRank === 1) return 'Scale';
  return tensors.length === 1 && path === tensors[0].leaf ? 'Tensor' : 'Parameters';
}
