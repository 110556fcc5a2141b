import { groupMetrics, type GroupMetrics } from '../graph/metric-sums.ts';
import type { NodeMetrics } from '../graph/metrics.ts';
import {
  groupMsPerRun,
  nodeMsPerRun,
  parseOrtProfile,
  profileCoverage,
  type OrtProfile,
} from '../profile/ort-profile.ts';
import type { SceneHeat } from '../scene/draw/heat.ts';
import {
  COLOR_MODES,
  colourNodesAndGroups,
  type ColorMode,
  type ColourLegend,
  type GroupScale,
} from '../ui/colour-modes.ts';
import { whenIdle } from '../ui/dom.ts';
import { formatSi } from '../ui/format.ts';
import type { Controller, ProfileState } from './controller.ts';
import type { ModelView } from './model.ts';

export interface ProfileSummary {
  mappedNodes: number;
  totalMs: number;
}

/**
 * The structure profile of the open model, on the main thread: per-node metrics (computed in the decode worker
 * next to the file), their group sums, an optional ONNX Runtime profile, and the colour-by mode of the scene.
 */
export class Profiling {
  model: ModelView | null = null;
  metrics: NodeMetrics | null = null;
  groups: GroupMetrics | null = null;
  unresolved: Record<string, number> = {};
  profile: OrtProfile | null = null;
  nodeMs: Float64Array | null = null;
  groupMs: Float64Array | null = null;
  profileFile = '';
  colorMode: ColorMode = 'category';
  /** Groups share the operators' colour scale unless the user asks for their own. */
  groupScale: GroupScale = 'shared';
  legend: ColourLegend | null = null;
  dims: Record<string, number> = { batch: 1, sequence: 128 };
  analyzing = false;
  error: string | null = null;
  analysisMs = 0;

  private seq = 0;
  private waiters: (() => void)[] = [];
  private listeners = new Set<() => void>();

  constructor(private readonly ctl: Controller) {
    ctl.profileState = () => this.state();
  }

  /** This model's part of the automation state; null while no model is analysed here. */
  state(): ProfileState | null {
    if (!this.model) return null;
    const m = this.metrics;
    return {
      colorMode: this.colorMode,
      profile: this.summary(),
      metrics: m ? { params: m.totals.parameters, flops: m.totals.flops } : null,
    };
  }

  onChange(fn: () => void): void {
    this.listeners.add(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }

  /** A new model is shown (or none): drop everything from the previous one and analyse this one. */
  setModel(model: ModelView | null): void {
    if (model === this.model) return;
    this.model = model;
    this.metrics = null;
    this.groups = null;
    this.profile = null;
    this.nodeMs = null;
    this.groupMs = null;
    this.profileFile = '';
    this.colorMode = 'category';
    this.legend = null;
    this.error = null;
    this.seq++;
    this.ctl.scene.setHeat(null);
    if (model) {
      // After the first frame, when the page is idle: analysis never delays the first view.
      const seq = this.seq;
      const go = () => {
        if (seq === this.seq) void this.analyze();
      };
      whenIdle(go, 500, 50);
    }
    this.emit();
  }

  /** (Re-)runs the analysis in the decode worker with the current symbolic dims. */
  async analyze(dims?: Record<string, number>): Promise<void> {
    if (dims) this.dims = { ...dims };
    const model = this.model;
    if (!model) return;
    const seq = ++this.seq;
    this.analyzing = true;
    this.error = null;
    this.emit();
    try {
      const r = await this.ctl.decode.analyze(this.dims);
      if (seq !== this.seq || model !== this.model) return;
      this.metrics = r.metrics;
      this.unresolved = r.unresolved;
      this.analysisMs = r.ms;
      this.groups = groupMetrics(model.hierarchy, r.metrics);
      const groups = this.groups;
      const texts: (string | undefined)[] = [];
      model.setAnalysis(r.shapes, (g) => (texts[g] ??= boxTotals(groups, g)));
    } catch (err) {
      if (seq !== this.seq) return;
      this.error = err instanceof Error ? err.message : String(err);
    }
    this.analyzing = false;
    // Re-colouring redraws too; otherwise redraw for the totals on group boxes and the inferred edge shapes.
    if (this.colorMode !== 'category') this.applyColours();
    else if (model === this.model) this.ctl.scene.setHeat(null);
    this.emit();
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /** Resolves once metrics exist (or the analysis failed). */
  whenAnalyzed(): Promise<void> {
    if (this.metrics || this.error || !this.model) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Parses an ORT profile (JSON text) against the open model and switches to runtime colouring. */
  loadProfile(text: string, fileName: string): OrtProfile {
    const model = this.model;
    if (!model) throw new Error('open a model before loading a profile');
    const profile = parseOrtProfile(text, model.ir);
    if (profile.kernelEvents === 0) throw new Error(`${fileName}: no ONNX Runtime kernel events in this file`);
    this.profile = profile;
    this.profileFile = fileName;
    this.nodeMs = nodeMsPerRun(profile);
    this.groupMs = groupMsPerRun(model.hierarchy, profile);
    this.colorBy('runtime');
    return profile;
  }

  summary(): ProfileSummary | null {
    const p = this.profile;
    if (!p) return null;
    return { mappedNodes: p.nodesWithTime, totalMs: p.mappedKernelUs / 1000 / Math.max(1, p.runs) };
  }

  coverage(): { executable: number; timed: number; share: number } | null {
    return this.profile && this.model ? profileCoverage(this.model.ir, this.profile) : null;
  }

  colorBy(mode: ColorMode): void {
    if (!COLOR_MODES.includes(mode)) throw new Error(`unknown colour mode "${String(mode)}"`);
    if (mode === 'runtime' && !this.profile) throw new Error('load an ONNX Runtime profile first');
    if ((mode === 'params' || mode === 'flops') && !this.metrics) throw new Error('the model is still being analysed');
    this.colorMode = mode;
    this.applyColours();
    this.emit();
  }

  /** Puts groups on the operators' scale ('shared') or on their own. */
  setGroupScale(scale: GroupScale): void {
    this.groupScale = scale;
    if (this.colorMode !== 'category') this.applyColours();
    this.emit();
  }

  private applyColours(): void {
    const mode = this.colorMode;
    const model = this.model;
    const m = this.metrics;
    const g = this.groups;
    let node: ArrayLike<number> | null = null;
    let group: ArrayLike<number> | null = null;
    let unknown: ArrayLike<number> | undefined;
    let title = '';
    let format = formatSi;
    if (mode === 'params' && m && g) {
      node = m.parameters;
      group = g.parameters;
      title = 'Parameters';
    } else if (mode === 'flops' && m && g) {
      node = m.flops;
      group = g.flops;
      unknown = m.unknownCost;
      title = 'FLOPs';
    } else if (mode === 'runtime' && this.nodeMs && this.groupMs) {
      node = this.nodeMs;
      group = this.groupMs;
      // Nodes that never ran a kernel (Constant, folded) have no runtime: grey, not "fast".
      unknown = this.profile ? this.profile.nodeCalls.map((c) => (c ? 0 : 1)) : undefined;
      title = 'Runtime (ms per run)';
      format = (v) => (v >= 1 ? `${Number(v.toPrecision(3))} ms` : `${Number((v * 1000).toPrecision(3))} µs`);
    }
    if (!model || !node || !group) {
      this.legend = null;
      this.ctl.scene.setHeat(null);
      return;
    }
    const { nodes, groups } = colourNodesAndGroups(node, group, this.groupScale, { unknown, format });
    this.legend = {
      title,
      nodes: nodes.legend,
      groups: groups.max > 0 ? { min: groups.min, max: groups.max, format } : null,
      groupScale: this.groupScale,
    };
    const suffixes: (string | undefined)[] = [];
    const heat: SceneHeat = {
      node: nodes.colours,
      group: groups.colours,
      groupSuffix: (gi) => (suffixes[gi] ??= this.groupTotals(gi)),
    };
    this.ctl.scene.setHeat(heat);
  }

  /** `1.2M params · 3.4 GFLOPs` (and ` · 0.52 ms` with a profile) for a group's label. */
  groupTotals(group: number): string {
    const g = this.groups;
    if (!g) return '';
    const compact = (v: number) => formatSi(v).replace(' ', '');
    const f = formatSi(g.flops[group]);
    let s = `${compact(g.parameters[group])} params · ${f}${/[kMGTP]$/.test(f) ? '' : ' '}FLOPs`;
    if (this.groupMs && this.colorMode === 'runtime') s += ` · ${this.groupMs[group].toFixed(2)} ms`;
    return s;
  }
}

/**
 * The totals a collapsed group's box lists after its node count: `1.2M params · 3.4 GFLOPs`, leaving out a zero
 * (a group of reshapes has no parameters); '' when both are zero.
 */
export function boxTotals(g: GroupMetrics, group: number): string {
  const parts: string[] = [];
  const p = g.parameters[group];
  const f = g.flops[group];
  if (p > 0) parts.push(`${formatSi(p).replace(' ', '')} params`);
  if (f > 0) {
    const s = formatSi(f);
    parts.push(`${s}${/[kMGTP]$/.test(s) ? '' : ' '}FLOPs`);
  }
  return parts.join(' · ');
}
