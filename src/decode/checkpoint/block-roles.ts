import { lastSegment } from './module-kind.ts';

/**
 * Roles of a transformer block's modules, read from the names the common families use (Hugging Face
 * transformers: llama, mistral, qwen2, gemma, phi3, gpt2; GGUF's `blk.N.attn_q` names; GPT-NeoX/Falcon fused
 * names). A checkpoint whose layers carry these roles can be drawn as the block's dataflow.
 */
export type BlockRole =
  | 'norm1'
  | 'q'
  | 'k'
  | 'v'
  | 'qkv'
  | 'o'
  | 'postAttnNorm'
  | 'norm2'
  | 'gate'
  | 'up'
  | 'gateUp'
  | 'down'
  | 'postFfnNorm';
export type TopRole = 'embed' | 'posEmbed' | 'finalNorm' | 'head';

const BLOCK_NAMES: Readonly<Record<string, BlockRole>> = {
  input_layernorm: 'norm1',
  ln_1: 'norm1',
  attn_norm: 'norm1',
  attention_norm: 'norm1',
  ln_attn: 'norm1',
  self_attn_layer_norm: 'norm1',
  q_proj: 'q',
  attn_q: 'q',
  wq: 'q',
  query: 'q',
  k_proj: 'k',
  attn_k: 'k',
  wk: 'k',
  key: 'k',
  v_proj: 'v',
  attn_v: 'v',
  wv: 'v',
  value: 'v',
  c_attn: 'qkv',
  qkv_proj: 'qkv',
  attn_qkv: 'qkv',
  query_key_value: 'qkv',
  Wqkv: 'qkv',
  o_proj: 'o',
  attn_output: 'o',
  out_proj: 'o',
  wo: 'o',
  post_attention_layernorm: 'norm2',
  ln_2: 'norm2',
  ffn_norm: 'norm2',
  pre_feedforward_layernorm: 'norm2',
  post_attention_norm: 'postAttnNorm',
  post_feedforward_layernorm: 'postFfnNorm',
  post_ffw_norm: 'postFfnNorm',
  gate_proj: 'gate',
  ffn_gate: 'gate',
  w1: 'gate',
  up_proj: 'up',
  ffn_up: 'up',
  w3: 'up',
  c_fc: 'up',
  fc1: 'up',
  dense_h_to_4h: 'up',
  gate_up_proj: 'gateUp',
  down_proj: 'down',
  ffn_down: 'down',
  w2: 'down',
  fc2: 'down',
  dense_4h_to_h: 'down',
};

const TOP_NAMES: Readonly<Record<string, TopRole>> = {
  embed_tokens: 'embed',
  wte: 'embed',
  token_embd: 'embed',
  tok_embeddings: 'embed',
  word_embeddings: 'embed',
  wpe: 'posEmbed',
  position_embd: 'posEmbed',
  embed_positions: 'posEmbed',
  norm: 'finalNorm',
  ln_f: 'finalNorm',
  output_norm: 'finalNorm',
  final_layernorm: 'finalNorm',
  final_layer_norm: 'finalNorm',
  lm_head: 'head',
  output: 'head',
};

/** `c_proj` and `dense` are the attention output under an attention module and the down projection under an MLP. */
function roleBySetting(last: string, parent: string): BlockRole | undefined {
  const inAttention = /attn|attention/i.test(parent);
  if (last === 'c_proj' || last === 'dense')
    return inAttention ? 'o' : /mlp|ffn|feed_forward/i.test(parent) ? 'down' : undefined;
  return undefined;
}

/** The layer a module path sits in: `model.layers.12.self_attn.q_proj` → prefix `model.layers.12`, rest `self_attn.q_proj`. */
export function splitLayer(path: string): { prefix: string; index: number; rest: string } | null {
  const m = /^(?:(.*?)\.)?(layers|layer|h|blk|blocks|block)\.(\d+)(?:\.(.+))?$/.exec(path);
  if (!m) return null;
  const prefix = `${m[1] ? `${m[1]}.` : ''}${m[2]}.${m[3]}`;
  return { prefix, index: Number(m[3]), rest: m[4] ?? '' };
}

export function blockRole(rest: string): BlockRole | undefined {
  if (!rest) return undefined;
  const last = lastSegment(rest);
  const parent = rest.includes('.') ? rest.slice(0, rest.lastIndexOf('.')) : '';
  return roleBySetting(last, parent) ?? (Object.hasOwn(BLOCK_NAMES, last) ? BLOCK_NAMES[last] : undefined);
}

export function topRole(path: string): TopRole | undefined {
  const last = lastSegment(path);
  return Object.hasOwn(TOP_NAMES, last) ? TOP_NAMES[last] : undefined;
}
