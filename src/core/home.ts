// The user's home folder, or undefined where there is none: HOME unset and a uid with no passwd entry (some
// containers), or a HOME that is empty or relative (it would name a folder under wherever the process started).
import { homedir } from "node:os";
import { isAbsolute } from "node:path";

export function homeFolder(): string | undefined {
  try {
    const home = homedir();
    return isAbsolute(home) ? home : undefined;
  } catch {
    return undefined;
  }
}
