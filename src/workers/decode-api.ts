/** The decode worker's API now lives beside its implementer (decode/api.ts); this keeps old importers compiling. */
export type { AnalysisResult, DecodeApi, ModelInput, TensorPreview, TensorStats } from '../decode/api.ts';
