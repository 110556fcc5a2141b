import { FRAME_TITLE, NODE_HEIGHT, ROW_HEIGHT } from '../layout/group-graph.ts';
import { BoxKind } from '../layout/types.ts';
import { Tier } from '../culling/lod.ts';
import type { Scene } from '../scene/scene.ts';
import { formatCount } from '../ui/format.ts';
import type { Tooltip } from '../ui/panels.ts';
import type { Controller } from './controller.ts';

/** A click waits this long before toggling a group, so a double-click (zoom) can cancel it. */
const CLICK_DELAY = 230;
/** The title band of an expanded group stays at least this many screen pixels tall for clicking. */
const MIN_TITLE_PX = 14;

/**
 * Canvas interaction: a click selects an operator, toggles a collapsed group or an expanded group's title bar,
 * or clears the selection; a double-click zooms to a box (or fits the model); hovering shows a tooltip.
 */
export function installCanvasInteraction(
  scene: Scene,
  ctl: Controller,
  tooltip: Tooltip,
  report: (err: unknown) => void,
): void {
  let pendingClick = 0;

  /** Whether a click on an expanded group's frame hit its title bar (the layout's `FRAME_TITLE` band). */
  const inTitleBar = (box: number, e: MouseEvent): boolean => {
    const L = ctl.layout;
    if (!L) return false;
    const p = scene.clientToLayout(e.clientX, e.clientY);
    return p.y - L.boxY[box] < Math.max(FRAME_TITLE, MIN_TITLE_PX / scene.viewport.scale.x);
  };

  /** The constant a click on an operator box's row stands for (rows are drawn at full detail only), or -1. */
  const rowValueAt = (box: number, node: number, e: MouseEvent): number => {
    const L = ctl.layout;
    const model = ctl.model;
    if (!L || !model || scene.tier < Tier.Full) return -1;
    const p = scene.clientToLayout(e.clientX, e.clientY);
    const row = Math.floor((p.y - L.boxY[box] - NODE_HEIGHT) / ROW_HEIGHT);
    return model.boxes.rowValue(node, row);
  };

  /**
   * What a press on `box` is aimed at: a node under an expanded group's title band (which stays 14 px tall when
   * zoomed out, so it may overlap the first row of nodes) counts as the group's title.
   */
  const aimedAt = (box: number, e: MouseEvent): number => {
    const L = ctl.layout;
    const model = ctl.model;
    if (!L || !model || box < 0 || L.boxKind[box] !== BoxKind.Node) return box;
    for (let g = model.hierarchy.nodeGroup[L.boxRef[box]]; g > 0; g = model.hierarchy.groupParent[g]) {
      const frame = L.groupBox[g] ?? -1;
      if (frame >= 0 && L.boxKind[frame] === BoxKind.Frame && inTitleBar(frame, e)) return frame;
    }
    return box;
  };

  // The hover tooltip belongs to a still pointer: zooming and panning hide it. Listened for on the canvas's host,
  // which outlives the canvas when a lost WebGL context makes the scene switch to Canvas2D.
  scene.host.addEventListener('wheel', () => tooltip.hide(), { passive: true });
  scene.host.addEventListener('pointermove', (e) => {
    if (e.buttons !== 0) tooltip.hide();
  });

  scene.events.click = (target, e) => {
    clearTimeout(pendingClick);
    const box = aimedAt(target, e);
    const L = ctl.layout;
    if (L && box < 0) {
      const tensor = scene.tensorAtClient(e.clientX, e.clientY);
      if (tensor >= 0 && L.tensors) {
        ctl.selectTensor(L.tensors.value[tensor], L.tensors.output[tensor] ? 'output' : 'input');
        return;
      }
    }
    if (!L || box < 0) {
      ctl.clearSelection();
      return;
    }
    const kind = L.boxKind[box];
    if (kind === BoxKind.Node) {
      const node = L.boxRef[box];
      const value = rowValueAt(box, node, e);
      if (value >= 0) void ctl.selectConstant(node, value);
      else void ctl.selectNode(node, false);
    } else if (kind === BoxKind.Group || (L.boxRef[box] > 0 && inTitleBar(box, e))) {
      // Read the group now: by the time the timer fires, another layout (or model) may have replaced this one.
      const group = L.boxRef[box];
      pendingClick = window.setTimeout(() => {
        if (ctl.layout === L) void ctl.toggleGroup(group).catch(report);
      }, CLICK_DELAY);
    } else {
      ctl.clearSelection();
    }
  };

  scene.events.dblclick = (target, e) => {
    clearTimeout(pendingClick);
    tooltip.hide();
    if (!ctl.layout) return;
    const box = aimedAt(target, e);
    if (box < 0) scene.fit(undefined, 350);
    else scene.focusBox(box, 400);
  };

  scene.events.hover = (box, e) => {
    const L = ctl.layout;
    const model = ctl.model;
    if (!L || !model || box < 0 || !e) {
      tooltip.hide();
      return;
    }
    const kind = L.boxKind[box];
    const ref = L.boxRef[box];
    if (kind === BoxKind.Node) tooltip.show(e.clientX, e.clientY, model.nodeOp(ref), model.nodeName(ref));
    else if (kind === BoxKind.Group)
      tooltip.show(
        e.clientX,
        e.clientY,
        model.groupLabel(ref),
        `${formatCount(model.groupSize(ref))} nodes · click to expand, double-click to zoom`,
      );
    else if (ref > 0)
      tooltip.show(e.clientX, e.clientY, model.groupLabel(ref), 'click the header to collapse, double-click to zoom');
    else tooltip.hide();
  };
}
