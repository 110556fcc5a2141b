import type { OpenModel } from '../decode/decoder.ts';
import type { AnalyzeOptions, ModelAnalysis } from './analyze.ts';

/**
 * `analyzeModel` loaded on first use: shape inference and metrics run only after the first frame, so the decode
 * worker starts without them and fetches their chunk when the page asks for the analysis.
 */
export async function analyzeModel(model: OpenModel, options: AnalyzeOptions = {}): Promise<ModelAnalysis> {
  const { analyzeModel: analyze } = await import('./analyze.ts');
  return analyze(model, options);
}
