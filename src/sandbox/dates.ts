// Fast UTC date formatting: seeding 10,000 identities formats ~50,000 dates and Date#toISOString dominated.

const P2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const WEEKDAYS = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1970-01-01 was a Thursday
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface Parts {
  y: number;
  m: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
  days: number;
}

/** Civil date from epoch ms (Howard Hinnant's days_from_civil inverse), valid for years 0..9999. */
function parts(epochMs: number): Parts {
  const days = Math.floor(epochMs / 86_400_000);
  let rem = epochMs - days * 86_400_000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const mi = Math.floor(rem / 60_000);
  rem -= mi * 60_000;
  const s = Math.floor(rem / 1000);
  return { y, m, d, h, mi, s, ms: rem - s * 1000, days };
}

/** Same output as `new Date(ms).toISOString()` for years 1000..9999. */
export function isoDate(epochMs: number): string {
  const p = parts(Math.floor(epochMs));
  const ms = p.ms < 10 ? `00${p.ms}` : p.ms < 100 ? `0${p.ms}` : String(p.ms);
  return `${p.y}-${P2[p.m]}-${P2[p.d]}T${P2[p.h]}:${P2[p.mi]}:${P2[p.s]}.${ms}Z`;
}

/** ISC's `computedDate` style, e.g. "Wed Feb 14 10:58:42". */
export function computedDate(epochMs: number): string {
  const p = parts(Math.floor(epochMs));
  return `${WEEKDAYS[((p.days % 7) + 7) % 7]} ${MONTHS[p.m - 1]} ${P2[p.d]} ${P2[p.h]}:${P2[p.mi]}:${P2[p.s]}`;
}
