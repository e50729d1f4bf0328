// The user's home folder, or undefined where there is none (HOME unset and a uid with no passwd entry: some containers).
import { homedir } from "node:os";

export function homeFolder(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}
