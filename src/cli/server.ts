import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { isModelDefinition } from '../decode/file-kinds.ts';

export interface ServerOptions {
  /** The built app (dist/). */
  root: string;
  /** The one model file this server may hand out, at /model/<basename>. */
  modelPath?: string;
  /** A second model to compare with the first (`?url=A&compare=B`), at /compare/<basename>. */
  comparePath?: string;
  /** 0 picks a free port. */
  port?: number;
  /**
   * Sends the headers that make the page cross-origin isolated (default true). False serves it as a static host
   * without them would, where the threads fall back to copies of the model's columns.
   */
  crossOriginIsolated?: boolean;
}

export interface RunningServer {
  url: string;
  modelUrl: string | null;
  /** URL of `comparePath`, when given. */
  compareUrl: string | null;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Everything the page may load comes from this origin. No 'unsafe-eval': the scene imports 'pixi.js/unsafe-eval',
 * pixi's eval-free code paths for exactly this kind of policy. Workers are same-origin modules.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Static server for the CLI and e2e tests: binds 127.0.0.1 only, serves files under `root`, the model file it was
 * given (with HTTP ranges, so the browser reads a multi-GB model piece by piece) and that model's companion files,
 * nothing else.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  // Symlinks are resolved on both sides, so a link under root cannot hand out a file outside it.
  const root = await realpath(resolve(options.root)).catch(() => resolve(options.root));
  const modelPath = options.modelPath ? resolve(options.modelPath) : null;
  const modelRoute = modelPath ? `/model/${basename(modelPath)}` : null;
  const comparePath = options.comparePath ? resolve(options.comparePath) : null;
  const compareRoute = comparePath ? `/compare/${basename(comparePath)}` : null;
  const modelDir = modelPath ? await realpath(dirname(modelPath)).catch(() => dirname(modelPath)) : null;
  let port = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.crossOriginIsolated !== false) isolationHeaders(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    // DNS rebinding: a page on evil.example that re-resolves to 127.0.0.1 is same-origin with its own host name,
    // not with ours, so only requests addressed to the loopback names are answered.
    if (!allowedHost(req.headers.host, port)) return send(res, 421, 'misdirected request');
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      return send(res, 400, 'bad request');
    }
    if (pathname.includes('\0') || pathname.includes('\\')) return send(res, 400, 'bad request');
    if (modelPath && pathname === modelRoute) {
      return sendFile(req, res, modelPath, 'application/octet-stream');
    }
    if (comparePath && pathname === compareRoute) return sendFile(req, res, comparePath, 'application/octet-stream');
    if (modelDir && pathname.startsWith('/model/'))
      return sendCompanion(req, res, modelDir, pathname.slice('/model/'.length));
    const rel = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
    const file = resolve(root, rel);
    if (!inside(root, file)) return send(res, 403, 'forbidden');
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      return send(res, 404, 'not found');
    }
    if (!inside(root, real)) return send(res, 403, 'forbidden');
    return sendFile(req, res, real, TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  ({ port } = server.address() as AddressInfo);
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    modelUrl: modelRoute ? `${url}model/${encodeURIComponent(basename(modelRoute))}` : null,
    compareUrl: compareRoute ? `${url}compare/${encodeURIComponent(basename(compareRoute))}` : null,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/**
 * A file the model's decoder reads beside it (ONNX external data, an ncnn/OpenVINO `.bin`, Darknet `.weights`, an
 * `.mlpackage`'s `weights/weight.bin`): a regular file in the model's folder, at most two levels down, that is not
 * itself a model definition. Everything else there stays unserved.
 */
async function sendCompanion(req: IncomingMessage, res: ServerResponse, dir: string, rel: string): Promise<void> {
  if (
    !rel ||
    rel.split('/').length > 3 ||
    rel.split('/').some((part) => !part || part === '.' || part === '..' || part.startsWith('.'))
  ) {
    return send(res, 403, 'forbidden');
  }
  // Another model in the folder is answered like a missing file: whether it exists is not this page's business.
  if (isModelDefinition(rel)) return send(res, 404, 'not found');
  let real: string;
  try {
    real = await realpath(resolve(dir, rel));
  } catch {
    return send(res, 404, 'not found');
  }
  if (!inside(dir, real) || real === dir) return send(res, 403, 'forbidden');
  const info = await stat(real).catch(() => null);
  if (!info?.isFile()) return send(res, 404, 'not found');
  return sendFile(req, res, real, 'application/octet-stream');
}

function inside(root: string, file: string): boolean {
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Host header names this server (a client without one, like HTTP/1.0 tools, is let through). */
function allowedHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return true;
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  if (!m || !LOOPBACK_NAMES.has(m[1])) return false;
  return m[2] === undefined ? port === 80 : Number(m[2]) === port;
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

function isolationHeaders(res: ServerResponse): void {
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  // With COOP, makes the page cross-origin isolated, so its threads can share the model's columns
  // (SharedArrayBuffer) instead of holding a copy each. Everything the page loads is same-origin (see the CSP), so
  // requiring cross-origin resources to opt in blocks nothing.
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
}

function send(res: ServerResponse, status: number, text: string): void {
  securityHeaders(res);
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, type: string): Promise<void> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) return send(res, 404, 'not found');
    size = st.size;
  } catch {
    return send(res, 404, 'not found');
  }
  securityHeaders(res);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-cache');
  let start = 0;
  let end = size - 1;
  const range = req.headers.range;
  if (range) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (!m || (m[1] === '' && m[2] === '')) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      return void res.end();
    }
    if (m[1] === '') start = Math.max(0, size - Number(m[2]));
    else {
      start = Number(m[1]);
      if (m[2] !== '') end = Math.min(end, Number(m[2]));
    }
    if (start > end || start >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      return void res.end();
    }
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': String(end - start + 1) });
  } else {
    res.writeHead(200, { 'Content-Length': String(size) });
  }
  if (req.method === 'HEAD' || size === 0) return void res.end();
  // A read error (file removed or unreadable after stat) must end this response, not crash the server.
  pipeline(createReadStream(file, { start, end }), res, () => undefined);
}
