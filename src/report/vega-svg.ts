/**
 * Charts as inline SVG: a vega-lite spec compiled to vega and rendered
 * headless with `View.toSVG()` (renderer 'none': no canvas, no DOM, no
 * network). Text widths are estimated by vega without a canvas, which is
 * fine for axis labels and legends.
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** Font stack used in charts and the page, so the SVG looks the same inline. */
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export async function vlToSvg(spec: TopLevelSpec): Promise<string> {
  const withConfig = {
    ...spec,
    config: { font: FONT, view: { stroke: '#ddd' }, legend: { symbolOpacity: 1 }, axis: { labelFontSize: 11, titleFontSize: 12 }, ...(spec as { config?: object }).config },
  } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(withConfig).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // drop the XML-only attributes that are noise inline; keep viewBox for responsive scaling
    return svg.replace(/^<svg /, '<svg role="img" ');
  } finally {
    view.finalize();
  }
}
