import { MODEL_EXTENSIONS, endsWithAny, isCheckpointCompanion, isModelDefinition } from '../decode/file-kinds.ts';
import type { ModelInput } from '../decode/api.ts';

/**
 * Picks the model among dropped/selected files: a definition file with a known model extension (the largest one
 * when several), then a known weights-bearing model (a lone `.caffemodel`), else the largest file. The others
 * travel along as siblings (ONNX external data, ncnn/OpenVINO `.bin`, Core ML `weight.bin`, Darknet `.weights`).
 */
export function inputFromFiles(files: File[]): ModelInput | null {
  if (files.length === 0) return null;
  const known = files.filter((f) => endsWithAny(f.name, MODEL_EXTENSIONS) && !isCheckpointCompanion(f.name));
  const definitions = known.filter((f) => isModelDefinition(f.name));
  // A Hugging Face folder whose weights have no model extension (pytorch_model.bin) opens through its config.json.
  const config = files.filter((f) => /(^|[\\/])config\.json$/i.test(f.name));
  const pool = definitions.length ? definitions : known.length ? known : config.length ? config : files;
  const main = pool.reduce((a, b) => (b.size > a.size ? b : a));
  const siblings = files.filter((f) => f !== main);
  return { kind: 'blob', blob: main, name: main.name, siblings };
}

/**
 * Two model files to compare among dropped files: exactly two definition files with the same extension (two
 * versions of one model), A being the one whose name sorts first (`model_v1.onnx` before `model_v2.onnx`). The
 * other files travel with both as siblings. Null for any other drop.
 */
export function pairFromFiles(files: File[]): [ModelInput, ModelInput] | null {
  const definitions = files.filter((f) => isModelDefinition(f.name));
  if (definitions.length !== 2) return null;
  const ext = (name: string) => name.toLowerCase().slice(Math.max(0, name.lastIndexOf('.')));
  const [a, b] = [...definitions].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  if (ext(a.name) !== ext(b.name)) return null;
  const siblings = files.filter((f) => f !== a && f !== b);
  return [
    { kind: 'blob', blob: a, name: a.name, siblings },
    { kind: 'blob', blob: b, name: b.name, siblings },
  ];
}

/**
 * Routes files dropped anywhere on the page to `open`, highlighting the drop target while dragging. Two model
 * files of one format (see `pairFromFiles`) go to `openPair` when given.
 */
export function installDropTarget(
  target: HTMLElement,
  open: (input: ModelInput) => void,
  openPair?: (a: ModelInput, b: ModelInput) => void,
): void {
  let depth = 0;
  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    target.classList.add('drag-over');
  });
  window.addEventListener('dragleave', (e) => {
    if (!hasFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) target.classList.remove('drag-over');
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    target.classList.remove('drag-over');
    const files = Array.from(e.dataTransfer?.files ?? []);
    const pair = openPair ? pairFromFiles(files) : null;
    if (pair && openPair) {
      openPair(pair[0], pair[1]);
      return;
    }
    const input = inputFromFiles(files);
    if (input) open(input);
  });
}

/** A hidden multi-file input; `pick()` opens the system dialog. */
export function createFilePicker(
  open: (input: ModelInput) => void,
  label = 'Open model file',
): { element: HTMLInputElement; pick(): void } {
  const input = document.createElement('input');
  input.type = 'file';
  input.multiple = true;
  input.hidden = true;
  input.setAttribute('aria-label', label);
  input.addEventListener('change', () => {
    const picked = inputFromFiles(Array.from(input.files ?? []));
    input.value = '';
    if (picked) open(picked);
  });
  document.body.appendChild(input);
  return { element: input, pick: () => input.click() };
}
