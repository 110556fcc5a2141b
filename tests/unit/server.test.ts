import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, startServer, type RunningServer } from '../../src/cli/server.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Sends one request exactly as written (no URL normalisation, unlike fetch or http.request), so traversal
 * attempts reach the server byte for byte.
 */
function rawRequest(
  port: number,
  target: string,
  options: { method?: string; headers?: Record<string, string | null> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string | null> = { Host: `127.0.0.1:${port}`, Connection: 'close', ...options.headers };
  const head = [
    `${options.method ?? 'GET'} ${target} HTTP/1.1`,
    ...Object.entries(headers)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', fail);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) return fail(new Error(`no response head: ${all.toString('latin1').slice(0, 200)}`));
      const lines = all.subarray(0, split).toString('latin1').split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const hs: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        hs[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let body: Buffer = all.subarray(split + 4);
      if (hs['transfer-encoding'] === 'chunked') body = dechunk(body);
      done({ status, headers: hs, body });
    });
    socket.write(Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'));
  });
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', pos);
    if (eol < 0) break;
    const size = parseInt(b.subarray(pos, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

const SECRET = 'TOP-SECRET-4c1f';
const MODEL_SIZE = 1000;

describe('strata serve: the local static server', () => {
  let dir: string;
  let server: RunningServer;
  let port: number;
  const model = Buffer.alloc(MODEL_SIZE);
  for (let i = 0; i < MODEL_SIZE; i++) model[i] = (i * 7 + 3) & 0xff;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-server-'));
    const root = join(dir, 'dist');
    mkdirSync(join(root, 'assets'), { recursive: true });
    mkdirSync(join(dir, 'models'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>strata</title>');
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log("app")');
    writeFileSync(join(root, 'assets', 'style.css'), 'body{}');
    writeFileSync(join(dir, 'secret.txt'), SECRET);
    writeFileSync(join(dir, 'models', 'model.onnx'), model);
    writeFileSync(join(dir, 'models', 'other.onnx'), SECRET);
    writeFileSync(join(dir, 'models', 'model.onnx.data'), 'external data');
    mkdirSync(join(dir, 'models', 'weights'));
    writeFileSync(join(dir, 'models', 'weights', 'weight.bin'), 'blob weights');
    writeFileSync(join(dir, 'models', '.env'), SECRET);
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'models', 'escape.bin'));
    symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'));
    symlinkSync(dir, join(root, 'up'));
    server = await startServer({ root, modelPath: join(dir, 'models', 'model.onnx'), port: 0 });
    port = Number(new URL(server.url).port);
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    const refused = (host: string) =>
      new Promise<boolean>((done) => {
        const s = connect({ port, host });
        s.on('connect', () => {
          s.destroy();
          done(false);
        });
        s.on('error', () => done(true));
      });
    // Every non-loopback address of this machine must refuse the connection.
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal)
      .map((a) => a!.address);
    for (const address of external) expect(await refused(address), `reachable on ${address}`).toBe(true);
    expect(await refused('::1')).toBe(true);
    expect(await refused('127.0.0.1')).toBe(false);
  });

  it('serves the app with the CSP and hardening headers', async () => {
    const index = await rawRequest(port, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body.toString()).toContain('<title>strata</title>');
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    // Cross-origin isolated, so the threads share the model's columns; workers and the model file say so too.
    for (const path of ['/', '/assets/app.js', '/model/model.onnx', '/nothing-here']) {
      const r = await rawRequest(port, path);
      expect(r.headers['cross-origin-opener-policy'], path).toBe('same-origin');
      expect(r.headers['cross-origin-embedder-policy'], path).toBe('require-corp');
    }
    const js = await rawRequest(port, '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const css = await rawRequest(port, '/assets/style.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    // Error responses carry the headers too.
    for (const target of ['/missing.js', '/../secret.txt']) {
      const r = await rawRequest(port, target);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('serves the one model, whole and by HTTP ranges', async () => {
    expect(server.modelUrl).toBe(`${server.url}model/model.onnx`);
    const path = new URL(server.modelUrl!).pathname;
    const whole = await rawRequest(port, path);
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['content-length']).toBe(String(MODEL_SIZE));
    expect(whole.body.equals(model)).toBe(true);

    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=990-', 990, 999],
      ['bytes=-10', 990, 999],
      ['bytes=500-999999999999', 500, 999],
      ['bytes=999-999', 999, 999],
      ['bytes=-5000', 0, 999],
    ];
    for (const [range, start, end] of cases) {
      const r = await rawRequest(port, path, { headers: { Range: range } });
      expect(r.status, range).toBe(206);
      expect(r.headers['content-range'], range).toBe(`bytes ${start}-${end}/${MODEL_SIZE}`);
      expect(r.headers['content-length'], range).toBe(String(end - start + 1));
      expect(r.body.equals(model.subarray(start, end + 1)), range).toBe(true);
    }
    for (const range of [
      'bytes=1000-',
      'bytes=5000-6000',
      'bytes=5-1',
      'bytes=-0',
      'bytes=-',
      'bytes=abc',
      'items=0-1',
      'bytes=0-1,5-6',
      'bytes=--1',
      'bytes=1e3-',
      `bytes=${'9'.repeat(400)}-`,
    ]) {
      const r = await rawRequest(port, path, { headers: { Range: range } });
      expect(r.status, range).toBe(416);
      expect(r.headers['content-range'], range).toBe(`bytes */${MODEL_SIZE}`);
      expect(r.body.length, range).toBe(0);
    }
    const head = await rawRequest(port, path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(MODEL_SIZE));
    expect(head.body.length).toBe(0);
  });

  it("serves the model's companion files (external data, weights/weight.bin) but no other model", async () => {
    const data = await rawRequest(port, '/model/model.onnx.data');
    expect(data.status).toBe(200);
    expect(data.body.toString()).toBe('external data');
    const blob = await rawRequest(port, '/model/weights/weight.bin', { headers: { Range: 'bytes=0-3' } });
    expect(blob.status).toBe(206);
    expect(blob.body.toString()).toBe('blob');
    expect((await rawRequest(port, '/model/other.onnx')).status).toBe(404);
    expect((await rawRequest(port, '/model/missing.bin')).status).toBe(404);
  });

  it('refuses path traversal in every spelling', async () => {
    const targets = [
      '/../secret.txt',
      '/../../secret.txt',
      '/assets/../../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/.%2e/secret.txt',
      '/%252e%252e%252fsecret.txt',
      '/..\\secret.txt',
      '/%5c..%5csecret.txt',
      '/assets\\..\\..\\secret.txt',
      '/..%5csecret.txt',
      `/${dir}/secret.txt`,
      `/%2f${dir.slice(1)}/secret.txt`,
      `//${dir.slice(1)}/secret.txt`,
      `${dir}/secret.txt`,
      `file://${dir}/secret.txt`,
      `http://127.0.0.1/../secret.txt`,
      `http://127.0.0.1/%2e%2e%2fsecret.txt`,
      '/index.html%00../secret.txt',
      '/%00',
      '/%c0%ae%c0%ae/secret.txt',
      '/%e0%80%ae%e0%80%ae/secret.txt',
      '/%',
      '/%zz',
      '/model/../secret.txt',
      '/model/..%2fsecret.txt',
      '/model/..%2fmodels%2fother.onnx',
      '/model/other.onnx',
      '/model/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/link.txt',
      '/up/secret.txt',
      '/up/models/other.onnx',
      '/model/.env',
      '/model/escape.bin',
      '/model/weights/../other.onnx',
      '/model/weights/..%2f..%2fsecret.txt',
      '/model/%2fetc%2fpasswd',
      `/model/${dir.slice(1)}/secret.txt`,
      '/model/',
      '/model//secret.txt',
      '..',
      '../secret.txt',
      '*',
    ];
    for (const target of targets) {
      const r = await rawRequest(port, target).catch((err: Error) => ({
        status: -1,
        headers: {},
        body: Buffer.from(err.message),
      }));
      expect(r.body.toString('latin1'), target).not.toContain(SECRET);
      expect([200, 206], `${target} → ${r.status}`).not.toContain(r.status);
    }
    // A raw NUL byte in the request line.
    const nul = await new Promise<string>((done) => {
      const s = connect(port, '127.0.0.1');
      let out = '';
      s.on('data', (c) => (out += c.toString('latin1')));
      s.on('end', () => done(out));
      s.on('error', () => done(out));
      s.write(
        Buffer.from(
          `GET /index.html\0/../../secret.txt HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
          'latin1',
        ),
      );
    });
    expect(nul).not.toContain(SECRET);
    expect(nul).not.toMatch(/^HTTP\/1\.1 200/);
    // Still alive and serving after all that.
    expect((await rawRequest(port, '/')).status).toBe(200);
  });

  it('answers only GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE']) {
      const r = await rawRequest(port, '/index.html', { method, headers: { 'Content-Length': '0' } });
      expect(r.status, method).toBe(405);
    }
  });

  it('answers only requests addressed to the loopback host (DNS rebinding)', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1.evil.example:${port}`,
      `localhost.:${port}`,
      `127.0.0.1:${port + 1}`,
      '',
    ]) {
      const r = await rawRequest(port, new URL(server.modelUrl!).pathname, { headers: { Host: host } });
      expect(r.status, host).not.toBe(200);
      expect(r.body.equals(model), host).toBe(false);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await rawRequest(port, '/', { headers: { Host: host } })).status, host).toBe(200);
    }
  });
});
