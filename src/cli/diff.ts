import { describeError } from '../decode/errors.ts';
import { NodeFileSource } from '../decode/io/node-file-source.ts';
import { openModelFile } from '../decode/registry.ts';
import type { OpenModel } from '../decode/decoder.ts';
import { diffModels } from '../diff/diff.ts';
import { buildDiffReport, formatDiffReport, type DiffReport, type ReportInput } from '../diff/report.ts';
import { diffTotals } from '../diff/totals.ts';
import { buildHierarchy } from '../graph/hierarchy/build.ts';

/** `strata diff A B [--json] [--bytes]`: exit 0 when the models are equal, 1 when they differ, 2 on error. */
export async function runDiff(
  fileA: string | undefined,
  fileB: string | undefined,
  json: boolean,
  bytes: boolean,
): Promise<number> {
  if (!fileA || !fileB) {
    console.error('strata: diff needs two model files: strata diff A B [--json] [--bytes]');
    return 2;
  }
  let input: ReportInput;
  let report: DiffReport;
  try {
    ({ input, report } = await diffFiles(fileA, fileB, { bytes }));
  } catch (err) {
    console.error(
      `strata: ${(err as { diffFile?: string }).diffFile !== undefined ? describeError(err, (err as { diffFile: string }).diffFile) : describeError(err)}`,
    );
    return 2;
  }
  console.log(json ? JSON.stringify(report, null, 2) : formatDiffReport(report, input));
  return report.equal ? 0 : 1;
}

interface OpenedModel extends OpenModel {
  format: string;
  /** Closes the file the CLI opened and, when the model opened another (a folder's weights), that one too. */
  close(): Promise<void>;
}

/** The one place the CLI opens a model for the diff. */
async function openForDiff(file: string): Promise<OpenedModel> {
  const source = await NodeFileSource.open(file);
  try {
    const { model, decoder } = await openModelFile(source);
    const close = async () => {
      if (model.source !== source) await model.source.close?.();
      await source.close();
    };
    return Object.assign(model, { format: decoder.id, close });
  } catch (err) {
    await source.close();
    throw err;
  }
}

export async function diffFiles(
  fileA: string,
  fileB: string,
  options: { bytes?: boolean } = {},
): Promise<{ input: ReportInput; report: DiffReport }> {
  const t0 = performance.now();
  const opened: OpenedModel[] = [];
  try {
    for (const file of [fileA, fileB]) {
      try {
        opened.push(await openForDiff(file));
      } catch (err) {
        // Tag the error with the file so the one stderr line names it.
        throw Object.assign(err instanceof Error ? err : new Error(String(err)), { diffFile: file });
      }
    }
    const [a, b] = opened;
    const t1 = performance.now();
    const diff = await diffModels(a, b, { bytes: options.bytes });
    const t2 = performance.now();
    const totals = await diffTotals(a, b);
    const t3 = performance.now();
    const round = (ms: number) => Math.round(ms * 10) / 10;
    const input: ReportInput = {
      fileA,
      fileB,
      irA: a.ir,
      irB: b.ir,
      formatA: a.format,
      formatB: b.format,
      diff,
      hierarchyA: buildHierarchy(a.ir),
      hierarchyB: buildHierarchy(b.ir),
      totals,
      timings: { decodeMs: round(t1 - t0), diffMs: round(t2 - t1), totalsMs: round(t3 - t2) },
    };
    return { input, report: buildDiffReport(input) };
  } finally {
    for (const m of opened) await m.close();
  }
}
