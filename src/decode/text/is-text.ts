/** True when the bytes look like text: no NUL and few control characters. Text-format sniffers start here. */
export function isText(head: Uint8Array): boolean {
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === 0) return false;
    if (c < 9 || (c > 13 && c < 32)) control++;
  }
  return control * 50 <= head.length;
}
