// The status page's stylesheet: one constant, inlined in the page (no other request, no script).

export const STATUS_CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1b1f24;background:#f6f8fa}
h1{font-size:1.4rem;margin:0 0 .25rem}
h2{font-size:1.1rem;margin:2rem 0 .5rem}
p.meta{color:#57606a;margin:0 0 1.25rem}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.12)}
table.providers{min-width:70rem}
th,td{text-align:left;padding:.6rem .9rem;border-bottom:1px solid #d8dee4;vertical-align:top}
th{background:#eef1f4;font-weight:600;font-size:.85rem;text-transform:uppercase;letter-spacing:.03em;color:#424a53}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.state{display:inline-block;padding:.15rem .6rem;border-radius:1rem;font-weight:600;white-space:nowrap}
.ok{background:#dafbe1;color:#116329}
.warn{background:#fff1c2;color:#7d4e00}
.bad{background:#ffebe9;color:#a40e26}
.none{background:#eaeef2;color:#424a53}
.bad-text{color:#a40e26}
.muted{color:#6e7781;font-size:.85rem}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
`;
