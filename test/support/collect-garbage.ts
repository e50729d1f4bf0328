// Full garbage collections on demand, for tests about what must outlive one (a link the runtime holds only weakly).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/**
 * A few full collections, each after a turn of the event loop: a WeakRef's target is kept until the job that made it
 * ends, and FinalizationRegistry callbacks run between collections. `--expose-gc` set at run time only gives a new
 * context its `gc`, hence the one made here.
 */
export async function collectGarbage(times = 5): Promise<void> {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  for (let i = 0; i < times; i++) {
    await new Promise((r) => setTimeout(r, 20));
    gc();
  }
}
