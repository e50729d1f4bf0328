// The layer rule, checked by `npm run lint`: no cycles (type-only imports count), and lower folders never import higher ones.
/**
 * The layers, lowest first: a layer may import its own files and lower layers only. tools/ and prompts/ (top level) are
 * one layer, above mcp/ (whose machinery they use) and below the transports and the CLI (which hand them to the server
 * as its inventory). See src/README.md.
 */
const LAYERS = [
  ["core", "src/core/"],
  ["config", "src/config/"],
  ["isc", "src/isc/"],
  ["views", "src/views/"],
  ["guard", "src/guard/"],
  ["mcp", "src/mcp/"],
  ["tools", "(tools|prompts)/"],
  ["transports", "src/transports/"],
  ["cli", "src/cli/"],
];

const upward = LAYERS.slice(0, -1).map(([name, path], i) => {
  const above = LAYERS.slice(i + 1);
  return {
    name: `layer-${name}`,
    comment: `${path} is below ${above.map(([, p]) => p).join(", ")}: it must not import them (src/README.md draws the layers).`,
    severity: "error",
    from: { path: `^${path}` },
    to: { path: `^(${above.map(([, p]) => p).join("|")})` },
  };
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment:
        "A cycle, even through type-only imports, means two files are one concept split in two, or one is in the wrong layer.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: "sandbox-standalone",
      comment: "src/sandbox is the fake tenant, a product of its own: it imports nothing else of the project.",
      severity: "error",
      from: { path: "^src/sandbox/" },
      to: { path: "^(src/(?!sandbox/)|tools/|prompts/)" },
    },
  ],
  options: {
    includeOnly: "^(src|tools|prompts)/",
    doNotFollow: { path: "node_modules" },
    // Type-only imports are dependencies too: a type cycle still ties the files together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
