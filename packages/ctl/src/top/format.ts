/** Figures as `top` prints them: uptime, bytes, percentages (pure). */

export function formatUptime(seconds: number | null): string {
  if (seconds === null) return '-';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return d > 0 ? `${d}d ${two(h)}:${two(m)}` : `${two(h)}:${two(m)}:${two(s)}`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

export function formatPercent(p: number | null): string {
  return p === null ? '-' : p.toFixed(1);
}

/** `text` cut or padded to `width` columns (left-aligned, or right with `right`). */
export function fit(text: string, width: number, right = false): string {
  if (text.length > width) return width > 1 ? `${text.slice(0, width - 1)}…` : text.slice(0, width);
  return right ? text.padStart(width) : text.padEnd(width);
}
