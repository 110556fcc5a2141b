/** Label cutting for monospace text, where a label's width is exactly `chars × advance × size`. */

/** Cuts text to at most `max` characters with an ellipsis. */
export function fitText(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  if (max <= 1) return '…';
  return `${text.slice(0, max - 1)}…`;
}

/** Keeps the end of a long name (the informative part of scoped names), with a leading ellipsis. */
export function tailText(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  if (max <= 1) return '…';
  return `…${text.slice(text.length - max + 1)}`;
}
