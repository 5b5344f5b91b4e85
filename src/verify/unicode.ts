/**
 * Unicode math a model really emits → the LaTeX the rest of the pipeline reads:
 * U+2212 minus and other dashes, full-width digits and signs (NFKC), superscript digits
 * (`x²` → `x^{2}`), vulgar fractions (`½` → `\frac{1}{2}`), `π`, `√2`, `2√2`, `√(x+1)`,
 * `∛8`, `∅`, `∞`, Greek letters, `≠ ≤ ≥ ≈ ∈ ∉ ∪ ± × · ÷`. Linear: one replace per class.
 */

const SUPER: Record<string, string> = {
  '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9', '⁻': '-', '⁺': '+',
};
const VULGAR: Record<string, string> = {
  '½': '1/2', '⅓': '1/3', '⅔': '2/3', '¼': '1/4', '¾': '3/4', '⅕': '1/5', '⅖': '2/5', '⅗': '3/5', '⅘': '4/5',
  '⅙': '1/6', '⅚': '5/6', '⅐': '1/7', '⅛': '1/8', '⅜': '3/8', '⅝': '5/8', '⅞': '7/8', '⅑': '1/9', '⅒': '1/10',
};
const GREEK: Record<string, string> = {
  'π': 'pi', 'θ': 'theta', 'α': 'alpha', 'β': 'beta', 'γ': 'gamma', 'δ': 'delta', 'ε': 'epsilon', 'λ': 'lambda',
  'μ': 'mu', 'σ': 'sigma', 'φ': 'phi', 'ω': 'omega', 'Δ': 'Delta', 'Ω': 'Omega', 'ρ': 'rho', 'τ': 'tau',
};
const SYMBOL: Record<string, string> = {
  '∅': '\\emptyset ', '∞': '\\infty ', '≠': '\\neq ', '≤': '\\le ', '≥': '\\ge ', '≈': '\\approx ', '∈': '\\in ',
  '∉': '\\notin ', '∪': '\\cup ', '∩': '\\cap ', '±': '\\pm ', '×': '\\times ', '·': '\\cdot ', '⋅': '\\cdot ', '÷': '\\div ',
  '≮': '\\nless ', '≯': '\\ngtr ', '≰': '\\nleq ', '≱': '\\ngeq ', '∓': '\\mp ',
};

/** Cheap test so plain-ASCII answers (almost all) skip the work. */
const NON_ASCII = /[^\x00-\x7f]/;

export function unicodeToLatex(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  let t = s
    .replace(/[\u2010\u2011\u2212\u2012\u2013\u2014\u2015\ufe63\uff0d]/g, '-')
    .replace(/[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+/g, (m) => `^{${[...m].map((c) => SUPER[c]).join('')}}`)
    .replace(/(\d?)([½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒])/g, (_m, w: string, f: string) => {
      const [n, d] = VULGAR[f].split('/');
      return w ? `${w}\\frac{${n}}{${d}}` : `\\frac{${n}}{${d}}`;
    })
    .replace(/[πθαβγδελμσφωΔΩρτ]/g, (c) => ` \\${GREEK[c]} `)
    .replace(/[∅∞≠≤≥≈∈∉∪∩±×·⋅÷≮≯≰≱∓]/g, (c) => SYMBOL[c]);
  // Roots: √2, √(x+1), √{x}, √x, ∛8, ∜16.
  t = t.replace(/([√∛∜])\s*(\([^()]*\)|\{[^{}]*\}|\d+(?:\.\d+)?|\\?[A-Za-z]+)/g, (_m, r: string, arg: string) => {
    const inner = /^[({]/.test(arg) ? arg.slice(1, -1) : arg;
    const k = r === '√' ? '' : r === '∛' ? '[3]' : '[4]';
    return `\\sqrt${k}{${inner}}`;
  });
  // Full-width forms, the fraction slash and other compatibility characters.
  t = t.normalize('NFKC').replace(/\u2044/g, '/');
  return t;
}
