/**
 * The page both HTML reports share (the simulator's and local mode's): one
 * self-contained file, inline CSS, no scripts and nothing fetched, so it opens
 * from disk, a mail attachment or a CI artifact alike.
 */

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;max-width:900px;margin:2em auto;color:#24292f}h1{font-size:1.4em}h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ddd;padding:2px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
.tables{display:flex;gap:24px;flex-wrap:wrap}figure{margin:1em 0}.legend{font-size:12px;color:#555}.key{margin-right:1em;white-space:nowrap}.key svg{vertical-align:middle;margin-right:4px}.notes{color:#555;font-size:13px}`;

/** A whole report: `body` is trusted HTML built with escapeXml. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${CSS}</style></head>
<body><h1>${escapeXml(title)}</h1>
${body}
</body></html>
`;
}

/** Rows of label → value, each escaped. */
export function factTable(rows: readonly (readonly [string, string])[]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`).join("")}</table>`;
}

/** A table with a header row; cells are escaped, null and undefined shown as "–". */
export function gridTable(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const head = columns.map((c) => `<th>${escapeXml(c)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((v) => `<td>${escapeXml(String(v ?? "–"))}</td>`).join("")}</tr>`).join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
