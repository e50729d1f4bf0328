// Preloaded with `node -r` by test/cli/compile-cache.test.ts: appends to the file named by ISC_TEST_FLAGS_OUT each V8
// flag the process sets, and V8's cachedDataVersionTag() (which folds in every flag in effect) at the start and when
// the process first writes to stdout (its first answer to the client).
const v8 = require("node:v8");
const { appendFileSync } = require("node:fs");
const out = process.env.ISC_TEST_FLAGS_OUT;
const note = (line) => appendFileSync(out, `${line}\n`);
const setFlags = v8.setFlagsFromString;
v8.setFlagsFromString = (flags) => {
  note(`set ${flags}`);
  return setFlags(flags);
};
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
