// Lint: only rules that catch real bugs a type-check misses (unhandled promises above all, in a server full of async work).
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/**", "*.config.ts", "*.config.js"] },
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "no-constant-condition": "error",
      "no-fallthrough": "error",
      // esbuild cannot tree-shake `import { z }` (zod re-exports a namespace): it pulls all ~40 zod locales (~370 KB)
      // into the bundle, parsed at every start. `import * as z` lets it keep only what is used (see npm run bench).
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind!='type'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
          message: 'Use `import * as z from "zod"`: the named (or default) z pulls every zod locale into the bundle.',
        },
      ],
    },
  },
  {
    // The server runs on the SDK's v2 packages; 1.x is the 2025-era client of tests and scripts. An import of it here
    // would type-check (v2 takes 1.x's zod schemas) and quietly put a second copy of the protocol in every start.
    files: ["src/**/*.ts", "tools/**/*.ts", "prompts/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@modelcontextprotocol/sdk", "@modelcontextprotocol/sdk/*"],
              message:
                "The server uses @modelcontextprotocol/server (and /node for HTTP); @modelcontextprotocol/sdk 1.x is for test and script clients only.",
            },
          ],
        },
      ],
    },
  },
);
