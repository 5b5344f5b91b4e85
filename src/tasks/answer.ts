/**
 * A minimal GSM8K-style answer reader for the task's own checks: the integer
 * after the last "####". (Training and evaluation use the verifier in
 * src/verify/, which handles every answer form.)
 */
export function parseHashAnswer(text: string): number | null {
  const all = [...text.matchAll(/####[ \t]*(-?[\d,]+)/g)];
  const last = all[all.length - 1];
  if (!last) return null;
  const n = Number(last[1]!.replace(/,/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}
