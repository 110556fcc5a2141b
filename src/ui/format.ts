/** Number formatting shared by the panels, the status bar and the colour legend. Pure: no DOM. */

/** `1.23 G`: three significant digits with an SI prefix (space before the prefix, none without one). */
export function formatSi(v: number): string {
  if (!Number.isFinite(v)) return '?';
  const units = ['', 'k', 'M', 'G', 'T', 'P'];
  let u = 0;
  let x = Math.abs(v);
  while (x >= 1000 && u < units.length - 1) {
    x /= 1000;
    u++;
  }
  const text = String(Number(x.toPrecision(3)));
  return `${v < 0 ? '-' : ''}${text}${units[u] ? ` ${units[u]}` : ''}`;
}

/** Bytes in binary units: `512 B`, `1.50 KiB`, `23.4 MiB`. */
export function formatBytes(n: number): string {
  if (!(n >= 0)) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${units[i]}`;
}

/** Thousands separated, the same in every locale: `12,345`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
