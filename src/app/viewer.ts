import { THEMES, type ThemeName } from '../scene/palette.ts';
import { Scene } from '../scene/scene.ts';
import { NO_RENDERER_MESSAGE, RendererUnavailableError } from '../scene/surface.ts';
import { download, el, whenIdle } from '../ui/dom.ts';
import { createFilePicker, installDropTarget } from '../ui/files.ts';
import { formatCount } from '../ui/format.ts';
import { installKeyboard } from '../ui/keyboard.ts';
import { EmptyState, ErrorPanel, LoadingPanel, Notice, Tooltip, loadingDetail } from '../ui/panels.ts';
import { MinimapToggle } from '../ui/minimap-toggle.ts';
import { formatSize } from '../decode/explain-error.ts';
import { ProfileControls } from '../ui/profile-controls.ts';
import { PropertiesPanel } from '../ui/properties.ts';
import { SearchBox } from '../ui/search.ts';
import { StatusBar, Toolbar } from '../ui/toolbar.ts';
import type { ModelInput } from '../decode/api.ts';
import { Automation } from './automation.ts';
import { ComparisonUi } from './comparison-ui.ts';
import { Controller, errorMessage } from './controller.ts';
import { exportSvgText, exportWholePng } from './export.ts';
import { installCanvasInteraction } from './interaction.ts';
import type { EarlyLoad, WorkerPool } from './load.ts';
import { Profiling } from './profiling.ts';
import { constantsToggle } from './constants-toggle.ts';

/** Status-bar note while the graph is drawn by the Canvas2D fallback. */
const CANVAS_NOTE = 'drawing without WebGL (slower)';

/** A held + / - key: each auto-repeat zooms this much, animated over about one repeat interval. */
const HELD_ZOOM_STEP = 1.08;
const HELD_ZOOM_MS = 90;

function initialTheme(): ThemeName {
  try {
    const saved = localStorage.getItem('strata-theme');
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    /* storage may be unavailable */
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/**
 * Builds the page (toolbar, graph, side panels, status bar), the scene and the controller, and wires them:
 * `window.strata` (automation.ts), profile controls (ui/profile-controls.ts), canvas interaction
 * (interaction.ts), keyboard, exports and the panels that mirror the controller's state.
 */
export async function startViewer(root: HTMLElement, pool: WorkerPool, early: EarlyLoad | null): Promise<void> {
  let themeName = initialTheme();
  document.documentElement.dataset.theme = themeName;

  // The API exists from the first moment; calls wait until the renderer is up.
  const automation = new Automation({ baseUrl: location.href, fetch: (url) => fetch(url) });
  window.strata = automation.api;

  let controller: Controller | null = null;
  let profiling: Profiling | null = null;

  // ---- page skeleton
  const graphHost = el('div', { class: 'graph-host', attrs: { 'aria-label': 'Model graph' } });
  const openInput = (input: ModelInput) => {
    // A .json dropped while a model is open is tried as an ONNX Runtime profile first.
    if (input.kind === 'blob' && /\.json$/i.test(input.name) && profiling?.model) {
      void loadProfileBlob(input.blob, input.name).catch((err: unknown) => {
        if (errorMessage(err).startsWith('not an ONNX Runtime profile')) void controller?.open(input);
        else report(err);
      });
      return;
    }
    void controller?.open(input);
  };
  async function loadProfileBlob(blob: Blob, name: string): Promise<void> {
    const p = profiling;
    if (!p) throw new Error('viewer not ready');
    p.loadProfile(await blob.text(), name);
  }
  const picker = createFilePicker(openInput);
  const toolbar = new Toolbar({
    open: () => picker.pick(),
    fit: () => controller?.scene.fit(undefined, 350),
    expandAll: () => void controller?.expandAll().catch(report),
    collapseAll: () => void controller?.collapseAll().catch(report),
    toggleTheme: () => setTheme(themeName === 'light' ? 'dark' : 'light'),
    exportPng: () => exportPng(),
    exportSvg: () => exportSvg(),
    toggleSidePanel: () => workspace.classList.toggle('side-open'),
  });
  const statusBar = new StatusBar();
  const loading = new LoadingPanel(() => void controller?.cancel());
  const errorPanel = new ErrorPanel(
    () => picker.pick(),
    () => {
      errorPanel.hide();
      controller?.dismissError();
      empty.visible = !controller?.model;
    },
  );
  const empty = new EmptyState(() => picker.pick());
  const tooltip = new Tooltip();
  const minimapToggle = new MinimapToggle(graphHost);
  const notice = new Notice();
  graphHost.append(
    empty.element,
    loading.element,
    errorPanel.element,
    tooltip.element,
    minimapToggle.element,
    notice.element,
  );
  const workspace = el('main', { class: 'workspace' });
  const properties = new PropertiesPanel(pool.decode, () => THEMES[themeName]);
  properties.showEmpty();
  // The page's frame is in place before the renderer starts, so the canvas is created at its final size: a
  // WebGL canvas resized right after creation reallocates its drawing buffer (slow on software GL).
  workspace.append(graphHost, properties.element);
  root.append(toolbar.element, workspace, statusBar.element);

  function report(err: unknown): void {
    statusBar.set(`Error: ${errorMessage(err)}`, '');
  }

  let scene: Scene;
  try {
    performance.mark('strata:scene-start');
    scene = await Scene.create(graphHost, THEMES[themeName]);
    performance.mark('strata:scene-end');
  } catch (err) {
    // The user gets what to do; the technical causes go to the console for whoever debugs it.
    console.warn('Strata: no renderer could start', err instanceof RendererUnavailableError ? err.causes : err);
    const message = NO_RENDERER_MESSAGE;
    errorPanel.show(message);
    automation.fail(message);
    return;
  }
  const ctl = new Controller(scene, pool);
  ctl.startupMs = Math.round(performance.now());
  controller = ctl;

  properties.onSelectNode = (node) => void ctl.selectNode(node, true, 300);
  const comparison = new ComparisonUi(ctl, graphHost, toolbar, properties, report);
  const search = new SearchBox(
    (q) => ctl.search(q),
    (m) => {
      void ctl.selectNode(m.node, true, 350);
    },
  );
  toolbar.searchSlot.append(search.element);

  // ---- structure profile: colour-by select, profile panel, runtime profile
  const prof = new Profiling(ctl);
  profiling = prof;
  // Read-only handle for benches and debugging (frame stats, renderer, analysis); not part of the automation contract.
  Object.defineProperty(window, '__strataDebug', {
    value: { scene, controller: ctl, profiling: prof },
    configurable: true,
  });
  const profileControls = new ProfileControls(prof, {
    colorBy: (mode) => prof.colorBy(mode),
    loadFile: (file) => void loadProfileBlob(file, file.name).catch(report),
    onVisible: (visible) => {
      properties.element.hidden = visible;
      // Narrow windows fold the side panel away: asking for the profile unfolds it.
      if (visible) workspace.classList.add('side-open');
    },
    onSelect: (sel) => {
      if (sel.kind === 'op') {
        search.setQuery(sel.op);
        return;
      }
      const g = ctl.model?.groupOfPath(sel.path) ?? -1;
      if (g < 0) return;
      void ctl
        .expandPath(sel.path)
        .then(() => {
          const box = ctl.layout?.groupBox[g] ?? -1;
          if (box >= 0) scene.focusBox(box, 300);
        })
        .catch(report);
    },
    onDims: (dims) => void prof.analyze(dims),
    setGroupScale: (scale) => prof.setGroupScale(scale),
    report,
  });
  graphHost.append(profileControls.legend.element);
  for (const control of profileControls.toolbarControls) toolbar.addModelControl(control);
  toolbar.addModelControl(constantsToggle(ctl, report));
  prof.onChange(() => profileControls.sync());

  workspace.append(profileControls.side.element);
  installDropTarget(graphHost, openInput, (a, b) => void ctl.openPair(a, b).catch(report));

  function setTheme(name: ThemeName): void {
    themeName = name;
    document.documentElement.dataset.theme = name;
    try {
      localStorage.setItem('strata-theme', name);
    } catch {
      /* ignore */
    }
    scene.setTheme(THEMES[name]);
    ctl.repaintComparison();
    shownNode = -2;
    syncPanels();
  }

  function exportPng(): void {
    if (toolbar.exportWhole && ctl.model) {
      exportWholePng({ scene, source: ctl.model, theme: THEMES[themeName] })
        .then((blob) => download(blob, `${baseName()}.png`))
        .catch((err: unknown) => notice.show(errorMessage(err)));
      return;
    }
    scene.renderNow();
    scene.app.canvas.toBlob((blob) => {
      if (blob) download(blob, `${baseName()}.png`);
    }, 'image/png');
  }

  function exportSvg(): void {
    const model = ctl.model;
    if (!model) return;
    const svg = exportSvgText({ scene, source: model, theme: THEMES[themeName] }, toolbar.exportWhole);
    if (svg) download(new Blob([svg], { type: 'image/svg+xml' }), `${baseName()}.svg`);
  }

  function baseName(): string {
    return (ctl.model?.fileName ?? 'strata').replace(/\.[^.]+$/, '') || 'strata';
  }

  // ---- reflect controller state in the panels
  let shownModel: unknown = null;
  let shownNode = -2;
  let shownValue = -1;
  function syncPanels(): void {
    const st = ctl.status;
    if (st === 'loading')
      loading.show(
        ctl.progress.stage,
        ctl.progress.fraction,
        loadingDetail(ctl.progress.fraction, ctl.progress.bytes, formatSize),
      );
    else loading.hide();
    if (st === 'error') errorPanel.show(ctl.error ?? 'unknown error', ctl.errorDetail);
    else errorPanel.hide();
    minimapToggle.element.hidden = !ctl.layout;
    empty.visible = st === 'idle';
    toolbar.setModelOpen(st === 'ready');
    toolbar.setBusy(ctl.busy);
    const model = ctl.model;
    if (model !== shownModel || (model && (ctl.selectedNode !== shownNode || ctl.selectedValue !== shownValue))) {
      shownModel = model;
      shownNode = ctl.selectedNode;
      shownValue = ctl.selectedValue;
      if (!model) properties.showEmpty();
      else if (ctl.selectedValue >= 0) properties.showConstant(model, ctl.selectedValue, ctl.selectedValueRole);
      else if (ctl.selectedNode >= 0) properties.showNode(model, ctl.selectedNode);
      else properties.showModel(model);
    }
    if (model) document.title = `${model.fileName} — Strata`;
    prof.setModel(st === 'ready' ? model : null);
    comparison.sync();
  }
  ctl.onChange(syncPanels);

  installCanvasInteraction(scene, ctl, tooltip, report);
  installKeyboard({
    search: () => search.focus(),
    fit: () => scene.fit(undefined, 300),
    escape: () => {
      search.close();
      tooltip.hide();
      if (ctl.selectedNode >= 0) ctl.clearSelection();
      if (ctl.status === 'error') errorPanel.hide();
    },
    // A press zooms 1.5× (composing with presses still animating); a held key repeats in small smooth steps.
    zoomIn: (repeat) => {
      tooltip.hide();
      scene.zoomBy(repeat ? HELD_ZOOM_STEP : 1.5, repeat ? HELD_ZOOM_MS : 150);
    },
    zoomOut: (repeat) => {
      tooltip.hide();
      scene.zoomBy(repeat ? 1 / HELD_ZOOM_STEP : 1 / 1.5, repeat ? HELD_ZOOM_MS : 150);
    },
    toggleMinimap: () => minimapToggle.toggle(),
    nextChange: () => comparison.step(1),
    previousChange: () => comparison.step(-1),
  });

  // ---- status bar, a few times a second (not per frame) and on every state change
  const refreshStatus = () => {
    const s = ctl.state(true);
    const withoutWebGL = scene.backendKind === 'canvas' && !scene.rendererPending ? `${CANVAS_NOTE} · ` : '';
    statusBar.element.title = s.renderer ? `Renderer: ${s.renderer}` : '';
    if (s.status !== 'ready' && s.status !== 'moving') {
      // Words about the model, never the GL renderer string alone.
      const left =
        s.status === 'loading'
          ? ctl.progress.stage
          : s.status === 'error'
            ? `Could not open: ${s.error ?? 'unknown error'}`
            : 'No model open';
      const kept = s.status === 'error' && ctl.model ? `${ctl.model.fileName} is still open` : '';
      statusBar.set(left, withoutWebGL + kept);
      return;
    }
    statusBar.set(
      `${formatCount(s.nodes)} nodes · ${formatCount(s.groups)} groups · ${formatCount(s.expanded)} expanded${s.busy ? ' · laying out…' : ''}`,
      `${withoutWebGL}${formatCount(s.visibleNodes)} visible · ${s.tier} · ${s.drawCalls} draw calls · zoom ${s.camera.zoom.toPrecision(3)}`,
    );
  };
  scene.events.backendChanged = () => refreshStatus();
  setInterval(refreshStatus, 300);
  ctl.onChange(refreshStatus);

  syncPanels();
  automation.start(ctl, prof);

  // `?url=A&compare=B` opens A, then compares B with it.
  const compareUrl = new URLSearchParams(location.search).get('compare');
  if (early && compareUrl)
    void ctl.openPair(early.input, { kind: 'url', url: new URL(compareUrl, location.href).href }, early).catch(report);
  else if (early) void ctl.open(early.input, early);

  // The scene drew its first frames with Canvas2D (see Scene.create); WebGL takes over once the opening model is on
  // screen (or at once on an empty page), when the page is idle.
  void ctl.whenOpened().finally(() => whenIdle(() => void scene.upgradeRenderer(), 300));
}
