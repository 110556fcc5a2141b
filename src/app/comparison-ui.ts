import { ValueFlag, nodeInputIds, nodeOutputIds, valueTypeString, type GraphIR } from '../graph/ir.ts';
import { cssColor } from '../scene/palette.ts';
import { pairSection, type PairSide } from '../ui/diff-properties.ts';
import { DiffPanel, type DiffLegendColours } from '../ui/diff-panel.ts';
import { el } from '../ui/dom.ts';
import { createFilePicker } from '../ui/files.ts';
import type { PropertiesPanel } from '../ui/properties.ts';
import type { Toolbar } from '../ui/toolbar.ts';
import type { ModelInput } from '../decode/api.ts';
import { DIFF_COLOURS } from './comparison-paint.ts';
import { statusOfB, type ChangeEntry, type Comparison } from './comparison.ts';
import type { Controller } from './controller.ts';
import type { ModelView } from './model.ts';

/**
 * The viewer's side of a comparison: the "Compare…" button and its file picker, the change panel (legend, counts,
 * list, previous/next), the A | B section of the properties panel, and camera moves to each change.
 */
export class ComparisonUi {
  readonly panel = new DiffPanel();
  private shown: Comparison | null = null;
  private shownTheme = '';
  /** The removed A node navigated to (its ghost's anchor is selected), or -1. */
  private removedFocus = -1;

  constructor(
    private readonly ctl: Controller,
    host: HTMLElement,
    toolbar: Toolbar,
    properties: PropertiesPanel,
    private readonly report: (err: unknown) => void,
  ) {
    const picker = createFilePicker((input) => this.compareWith(input), 'Compare with model file');
    picker.element.classList.add('compare-input');
    toolbar.addModelControl(
      el('button', {
        class: 'tool compare',
        text: 'Compare…',
        title: 'Compare the open model (A) with another model file (B): B is shown coloured by the differences',
        attrs: { type: 'button' },
        on: { click: () => picker.pick() },
      }),
    );
    host.append(this.panel.element);
    this.panel.onStep = (step) => this.step(step);
    this.panel.onPick = (i) => {
      const c = this.ctl.comparison;
      if (!c) return;
      c.cursor = i;
      this.goTo(c.entries[i]);
    };
    properties.nodeExtra = (node) => this.pairFor(node);
  }

  compareWith(input: ModelInput): void {
    this.ctl.compare(input).catch(this.report);
  }

  /** Mirrors the controller: shows or hides the panel when the comparison (or the theme) changes. */
  sync(): void {
    const c = this.ctl.comparison;
    const theme = this.ctl.scene.theme.name;
    if (c === this.shown && theme === this.shownTheme) return;
    this.shown = c;
    this.shownTheme = theme;
    this.removedFocus = -1;
    this.panel.show(
      c && {
        fileA: c.a.fileName,
        fileB: c.b.fileName,
        summary: c.summary,
        entries: c.entries,
        cursor: c.cursor,
        notes: c.diff.notes,
      },
      legendColours(theme),
    );
  }

  /** Next (1) or previous (-1) change: selects it and moves the camera there. */
  step(step: 1 | -1): void {
    const entry = this.ctl.comparison?.step(step);
    if (entry) this.goTo(entry);
  }

  private goTo(entry: ChangeEntry): void {
    const c = this.ctl.comparison;
    if (!c) return;
    this.panel.setCursor(c.cursor);
    this.removedFocus = entry.kind === 'removed' ? entry.nodeA : -1;
    if (entry.nodeB >= 0) this.ctl.selectNode(entry.nodeB, true, 300).catch(this.report);
  }

  /** The A | B table for a selected B node (or for the removed node whose ghost sits beside it). */
  private pairFor(node: number): HTMLElement | null {
    const c = this.ctl.comparison;
    if (!c || node >= c.b.ir.nodeCount) return null;
    const decode = this.ctl.decode;
    if (this.removedFocus >= 0 && c.diff.ghostAnchorA[this.removedFocus] === node) {
      return pairSection(
        'removed',
        side(c.a, this.removedFocus, decode.baselineNodeDetails(this.removedFocus)),
        null,
        [],
      );
    }
    const na = c.diff.pairOfB[node];
    const a = na >= 0 ? side(c.a, na, decode.baselineNodeDetails(na)) : null;
    return pairSection(statusOfB(c.diff, node), a, side(c.b, node, decode.nodeDetails(node)), c.whatOf(node));
  }
}

function side(m: ModelView, node: number, details: PairSide['details']): PairSide {
  const typeOf = (ir: GraphIR, v: number) =>
    v < 0
      ? 'none'
      : ir.valueDtype[v] === 0 && !(ir.valueFlags[v] & ValueFlag.HasShape)
        ? 'type not recorded'
        : valueTypeString(ir, v);
  const types = (ir: GraphIR, ids: ArrayLike<number>) => Array.from(ids, (v) => typeOf(ir, v));
  // A rejected detail read must not surface as an unhandled rejection before the table awaits it.
  details.catch(() => {});
  return {
    op: m.nodeOp(node),
    name: m.nodeTitle(node),
    inputs: types(m.ir, nodeInputIds(m.ir, node)),
    outputs: types(m.ir, nodeOutputIds(m.ir, node)),
    details,
  };
}

function legendColours(theme: 'light' | 'dark'): DiffLegendColours {
  const c = DIFF_COLOURS[theme];
  const css = (s: { fill: number; stroke: number }) => ({ fill: cssColor(s.fill), stroke: cssColor(s.stroke) });
  return { added: css(c.added), changed: css(c.changed), removed: css(c.removed), unchanged: css(c.unchanged) };
}
