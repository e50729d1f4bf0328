// Preloaded with `node -r` by test/cli/compile-cache.test.ts: appends to the file named by ISC_TEST_FLAGS_OUT each V8
// flag the process sets, V8's cachedDataVersionTag() (which folds in every flag in effect) at the start and when the
// process first writes to stdout (its first answer to the client), and at exit the Node modules first loaded after the
// heap flag.
const v8 = require("node:v8");
const { appendFileSync } = require("node:fs");
const out = process.env.ISC_TEST_FLAGS_OUT;
const note = (line) => appendFileSync(out, `${line}\n`);
const setFlags = v8.setFlagsFromString;
let loadedBefore;
v8.setFlagsFromString = (flags) => {
  note(`set ${flags}`);
  if (flags.startsWith("--heap-growing-percent=") && loadedBefore === undefined)
    loadedBefore = process.moduleLoadList.length;
  return setFlags(flags);
};
// The Node modules first loaded once the heap flag was set: each compiled from source.
process.on("exit", () => {
  if (loadedBefore === undefined) return;
  const late = process.moduleLoadList.slice(loadedBefore).filter((m) => m.startsWith("NativeModule "));
  note(`loaded after the heap flag: ${late.map((m) => m.slice("NativeModule ".length)).join(" ")}`);
});
const write = process.stdout.write;
let answered = false;
process.stdout.write = function (...args) {
  if (!answered) {
    answered = true;
    note(`answer ${v8.cachedDataVersionTag()}`);
  }
  return write.apply(this, args);
};
note(`start ${v8.cachedDataVersionTag()}`);
