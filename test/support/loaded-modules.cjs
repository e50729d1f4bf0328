// Preloaded with `node -r` by test/bundle.test.ts: at exit, writes which Node built-ins and which files the process
// loaded, and how many functions it made from strings (`new Function`), to the JSON file named by ISC_TEST_LOADED_OUT.
const { writeFileSync } = require("node:fs");
let compiled = 0;
globalThis.Function = new Proxy(Function, {
  construct(target, args, newTarget) {
    compiled++;
    return Reflect.construct(target, args, newTarget);
  },
  apply(target, self, args) {
    compiled++;
    return Reflect.apply(target, self, args);
  },
});
process.on("exit", () => {
  const builtins = process.moduleLoadList
    .filter((m) => m.startsWith("NativeModule "))
    .map((m) => m.slice("NativeModule ".length));
  writeFileSync(
    process.env.ISC_TEST_LOADED_OUT,
    JSON.stringify({ builtins, files: Object.keys(require.cache), compiled }),
  );
});
