// The page's one stylesheet, inline, and its hash for the Content-Security-Policy (which allows no script at all).
import { createHash } from "node:crypto";

export const STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; --red: #b42318; --red-bg: #fef3f2; --blue: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { background: #24292f; color: #fff; padding: 12px 24px; font-size: 14px; letter-spacing: .02em; }
header b { font-weight: 600; }
main { max-width: 680px; margin: 32px auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 28px 32px; }
h1 { font-size: 24px; margin: 0 0 8px; }
.destructive h1 { color: var(--red); }
.lead { margin: 0 0 20px; font-size: 17px; }
.warning { background: var(--red-bg); border: 1px solid #fda29b; color: var(--red); border-radius: 6px; padding: 10px 14px; margin: 0 0 20px; font-weight: 600; }
.notice { border-radius: 6px; padding: 10px 14px; margin: 0 0 20px; background: #fff8c5; border: 1px solid #d4a72c; }
table { border-collapse: collapse; width: 100%; margin: 0 0 20px; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); }
th { width: 34%; color: var(--muted); font-weight: 500; }
td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 14px; overflow-wrap: anywhere; }
.esc { background: #fff8c5; color: #7d4e00; border-radius: 3px; padding: 0 2px; }
ul.names { margin: 0; padding-left: 18px; }
label { display: block; font-weight: 600; margin: 0 0 6px; }
.expected { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg); padding: 1px 6px; border-radius: 4px; overflow-wrap: anywhere; }
input[type=text] { width: 100%; font: inherit; padding: 8px 10px; border: 1px solid var(--line); border-radius: 6px; margin: 0 0 16px; }
.buttons { display: flex; gap: 12px; }
button { font: inherit; font-weight: 600; padding: 9px 18px; border-radius: 6px; border: 1px solid var(--line); background: #fff; cursor: pointer; }
button.go { background: var(--blue); border-color: var(--blue); color: #fff; }
.destructive button.go { background: var(--red); border-color: var(--red); }
.small { color: var(--muted); font-size: 13px; margin: 20px 0 0; }
.done h1 { color: var(--ink); }
`;

/** For `style-src 'sha256-…'`: the stylesheet is allowed by its exact content, nothing else is. */
export const styleHash = (): string => (hash ??= `sha256-${createHash("sha256").update(STYLE).digest("base64")}`);
let hash: string | undefined;
