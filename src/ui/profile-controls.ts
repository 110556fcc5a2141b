import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { NodeMetrics } from '../graph/metrics.ts';
import type { OrtProfile } from '../profile/ort-profile.ts';
import { COLOR_MODES, type ColorMode, type ColourLegend, type GroupScale } from './colour-modes.ts';
import { el } from './dom.ts';
import { formatSi } from './format.ts';
import { profileRows, type ProfileSelection } from './profile-panel.ts';
import { LegendOverlay, ProfileSide } from './profile-side.ts';

/** What the controls show of the structure profile of the open model (the app's Profiling provides it). */
export interface ProfileView {
  readonly model: { readonly ir: GraphIR; readonly hierarchy: Hierarchy } | null;
  readonly colorMode: ColorMode;
  readonly legend: ColourLegend | null;
  readonly metrics: NodeMetrics | null;
  readonly profile: OrtProfile | null;
  readonly profileFile: string;
  readonly analyzing: boolean;
  readonly error: string | null;
  /** Op types whose cost is unknown → node count. */
  readonly unresolved: Record<string, number>;
  coverage(): { share: number } | null;
  summary(): { mappedNodes: number; totalMs: number } | null;
}

export interface ProfileControlsActions {
  /** Switch the colour mode; throws when the mode is not available yet. */
  colorBy(mode: ColorMode): void;
  /** A profile JSON was picked. */
  loadFile(file: File): void;
  /** The side panel was shown or hidden (the properties panel takes the other turn). */
  onVisible(visible: boolean): void;
  onSelect(selection: ProfileSelection): void;
  onDims(dims: Record<string, number>): void;
  /** Groups on the operators' colour scale or on their own (the legend's checkbox). */
  setGroupScale(scale: GroupScale): void;
  report(err: unknown): void;
}

const MODE_LABELS: Record<ColorMode, string> = {
  category: 'Colour: op type',
  params: 'Colour: params',
  flops: 'Colour: FLOPs',
  runtime: 'Colour: runtime',
};

/**
 * The structure-profile controls: the colour-by select, the Profile toggle, the profile file picker (button and
 * hidden input), the side panel with its status lines and table, and the legend over the graph. `sync` reflects
 * the profile state; everything model-provided goes in as text.
 */
export class ProfileControls {
  /** For the toolbar, in order. */
  readonly toolbarControls: (HTMLButtonElement | HTMLSelectElement)[];
  readonly side: ProfileSide;
  readonly legend = new LegendOverlay();
  private readonly select: HTMLSelectElement;
  private readonly toggle: HTMLButtonElement;
  private shownData: [NodeMetrics | null, OrtProfile | null] | null = null;

  constructor(
    private readonly view: ProfileView,
    private readonly actions: ProfileControlsActions,
  ) {
    this.side = new ProfileSide({ onSelect: actions.onSelect, onDims: actions.onDims });
    this.legend.onGroupScale = (scale) => actions.setGroupScale(scale);
    this.select = el('select', {
      class: 'colour-by',
      title: 'Colour the graph by',
      attrs: { 'aria-label': 'Colour by' },
    });
    for (const m of COLOR_MODES) this.select.append(el('option', { text: MODE_LABELS[m], attrs: { value: m } }));
    this.select.addEventListener('change', () => {
      try {
        actions.colorBy(this.select.value as ColorMode);
      } catch (err) {
        actions.report(err);
        this.select.value = view.colorMode;
      }
    });
    this.toggle = el('button', {
      class: 'tool profile-toggle',
      text: 'Profile',
      title: 'Parameters, FLOPs and runtime per group and op type',
      attrs: { type: 'button', 'aria-pressed': 'false' },
      on: { click: () => this.setVisible(!this.side.visible) },
    });
    const picker = el('input', {
      attrs: { type: 'file', accept: '.json,application/json', 'aria-label': 'Load ONNX Runtime profile' },
    });
    picker.hidden = true;
    picker.classList.add('profile-file');
    picker.addEventListener('change', () => {
      const f = picker.files?.[0];
      picker.value = '';
      if (f) actions.loadFile(f);
    });
    document.body.append(picker);
    const load = el('button', {
      class: 'tool load-profile',
      text: 'Load profile…',
      title: 'Load an ONNX Runtime profiling JSON (or drop it on the graph)',
      attrs: { type: 'button' },
      on: { click: () => picker.click() },
    });
    this.toolbarControls = [this.select, this.toggle, load];
  }

  setVisible(visible: boolean): void {
    this.side.visible = visible;
    this.toggle.setAttribute('aria-pressed', String(visible));
    this.shownData = null;
    this.actions.onVisible(visible);
    this.sync();
  }

  /** Reflects the profile state: legend, available colour modes, and (when open) the side panel. */
  sync(): void {
    const p = this.view;
    this.legend.set(p.colorMode === 'category' ? null : p.legend);
    if (this.select.value !== p.colorMode) this.select.value = p.colorMode;
    for (const o of Array.from(this.select.options)) {
      o.disabled = o.value === 'runtime' ? !p.profile : o.value === 'category' ? false : !p.metrics;
    }
    if (!this.side.visible) return;
    this.side.setStatus(profileStatusLines(p));
    // The table only changes with new metrics or a new profile.
    const m = p.metrics;
    const shown = this.shownData;
    if (m && p.model && !(shown && shown[0] === m && shown[1] === p.profile)) {
      this.shownData = [m, p.profile];
      this.side.setData(profileRows(p.model.ir, p.model.hierarchy, m, p.profile));
    }
  }
}

/** The side panel's status: analysis progress or totals, unknown-cost ops, and the loaded runtime profile. */
export function profileStatusLines(p: ProfileView): string[] {
  const lines: string[] = [];
  if (!p.model) lines.push('No model open.');
  else if (p.analyzing) lines.push('Analysing…');
  if (p.error) lines.push(`Analysis failed: ${p.error}`);
  const m = p.metrics;
  if (m && !p.analyzing) {
    const unit = (v: number, u: string) => {
      const t = formatSi(v);
      return /[kMGTP]$/.test(t) ? `${t}${u}` : `${t} ${u}`;
    };
    lines.push(
      `${formatSi(m.totals.parameters).replace(' ', '')} params · ${unit(m.totals.flops, 'FLOPs')} · ${unit(m.totals.activationBytes, 'B')} activations`,
    );
    const unresolved = Object.entries(p.unresolved).sort((a, b) => b[1] - a[1]);
    if (m.totals.unknownCostNodes)
      lines.push(
        `${m.totals.unknownCostNodes} nodes of unknown cost${
          unresolved.length
            ? ` (${unresolved
                .slice(0, 4)
                .map(([op, n]) => `${op} ×${n}`)
                .join(', ')})`
            : ''
        }`,
      );
  }
  const profile = p.profile;
  const sum = p.summary();
  if (profile && sum) {
    const cov = p.coverage();
    lines.push(
      `Runtime: ${p.profileFile} — ${profile.runs} run${profile.runs === 1 ? '' : 's'}, ${sum.totalMs.toFixed(2)} ms per run`,
    );
    lines.push(
      `${sum.mappedNodes} nodes timed${cov ? ` (${(100 * cov.share).toFixed(1)}% of non-Constant)` : ''} · ${profile.kernelEvents - profile.mappedEvents} unmapped events`,
    );
  }
  return lines;
}
