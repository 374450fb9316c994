export interface Series {
  name: string;
  color: string;
  /** [seconds since start, value] */
  points: [number, number][];
}

/** A plain SVG line chart: one panel per group of series sharing a unit, time on the x axis. */
export function svgPlot(title: string, panels: { unit: string; series: Series[] }[]): string {
  const width = 900;
  const panelHeight = 260;
  const pad = { left: 70, right: 20, top: 40, bottom: 40 };
  const maxT = Math.max(1, ...panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([t]) => t))));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${panels.length * panelHeight + 30}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
  ];
  panels.forEach((panel, i) => {
    const top = 30 + i * panelHeight;
    const h = panelHeight - pad.top - pad.bottom;
    const w = width - pad.left - pad.right;
    const maxV = Math.max(1, ...panel.series.flatMap((s) => s.points.map(([, v]) => v))) * 1.1;
    const x = (t: number): number => pad.left + (t / maxT) * w;
    const y = (v: number): number => top + pad.top + h - (v / maxV) * h;
    parts.push(`<rect x="${pad.left}" y="${top + pad.top}" width="${w}" height="${h}" fill="none" stroke="#ccc"/>`);
    for (let k = 0; k <= 4; k++) {
      const v = (maxV / 4) * k;
      parts.push(`<text x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${Math.round(v)}</text>`);
      parts.push(`<line x1="${pad.left}" x2="${pad.left + w}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
    }
    parts.push(
      `<text x="14" y="${top + pad.top + h / 2}" transform="rotate(-90 14 ${top + pad.top + h / 2})" text-anchor="middle">${escape(panel.unit)}</text>`,
    );
    parts.push(
      `<text x="${pad.left + w / 2}" y="${top + panelHeight - 8}" text-anchor="middle" fill="#555">seconds</text>`,
    );
    panel.series.forEach((s, k) => {
      const d = s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${d}"/>`);
      parts.push(
        `<text x="${pad.left + 10 + k * 180}" y="${top + pad.top - 8}" fill="${s.color}">■ ${escape(s.name)}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
