// Preloaded into a spawned replica (NODE_OPTIONS=--import) so its clock runs SKEWED_CLOCK_MS ahead (behind when
// negative), as on a machine whose clock drifted: Date.now, which the server's clocks read, gives the moved time.
const skew = Number(process.env.SKEWED_CLOCK_MS ?? 0);
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + skew;
