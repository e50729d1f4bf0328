// The layer rule, checked by `npm run lint`: no cycles (type-only imports count), and lower folders never import higher ones.
/** src/ folders, lowest first: a folder may import its own and lower ones only. See src/README.md. */
const LAYERS = ["core", "config", "isc", "views", "guard", "mcp", "transports", "cli"];

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} is below ${LAYERS.slice(i + 1).join(", ")}: it must not import them (src/README.md draws the layers).`,
  severity: "error",
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join("|")})/` },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "A cycle, even through type-only imports, means two files are one concept split in two, or one is in the wrong layer.",
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
    {
      name: "tools-below-transports",
      comment: "tools/ and prompts/ use the machinery of src/, never the transports or the CLI that serve them.",
      severity: "error",
      from: { path: "^(tools|prompts)/" },
      to: { path: "^src/(transports|cli)/" },
    },
    {
      name: "tools-only-in-server-factory",
      comment: "src/ takes tools/ and prompts/ in one place, the server factory (src/mcp/server.ts); everything else gets them as input.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/mcp/server\\.ts$" },
      to: { path: "^(tools|prompts)/" },
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
