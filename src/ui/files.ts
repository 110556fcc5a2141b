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

/** Routes files dropped anywhere on the page to `open`, highlighting the drop target while dragging. */
export function installDropTarget(target: HTMLElement, open: (input: ModelInput) => void): void {
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
    const input = inputFromFiles(Array.from(e.dataTransfer?.files ?? []));
    if (input) open(input);
  });
}

/** A hidden multi-file input; `pick()` opens the system dialog. */
export function createFilePicker(open: (input: ModelInput) => void): { element: HTMLInputElement; pick(): void } {
  const input = document.createElement('input');
  input.type = 'file';
  input.multiple = true;
  input.hidden = true;
  input.setAttribute('aria-label', 'Open model file');
  input.addEventListener('change', () => {
    const picked = inputFromFiles(Array.from(input.files ?? []));
    input.value = '';
    if (picked) open(picked);
  });
  document.body.appendChild(input);
  return { element: input, pick: () => input.click() };
}
