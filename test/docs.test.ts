// The README's generated sections must match the code: run `npm run docs` after changing tools, options or prompts.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderReadme } from "../scripts/docs-render.js";

describe("README", () => {
  it("has up-to-date tool, option and prompt sections", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(renderReadme(readme), "README.md is stale: run `npm run docs`").toBe(readme);
  });

  it("stays short enough for a user: at most 300 lines, the rest in docs/", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(readme.trimEnd().split("\n").length).toBeLessThanOrEqual(300);
  });

  it("names the two newcomer commands", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(readme).toContain("npm ci && npm run demo");
    expect(readme).toContain("npm test");
  });
});
