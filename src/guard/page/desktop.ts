// Whether a desktop session can show a browser: macOS and Windows consoles, else an X11 or Wayland display that is really there.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { quoted } from "../../core/quote.js";

/** Why no desktop can show a browser here, or undefined when one can. */
export function noDesktop(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  const remote = Boolean(env.SSH_CONNECTION || env.SSH_TTY);
  if (platform === "darwin" || platform === "win32") return remote ? "this is an SSH session" : undefined;
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return "no DISPLAY or WAYLAND_DISPLAY is set";
  if (platform !== "linux") return undefined;
  const x = env.DISPLAY ? missingX(env.DISPLAY) : "no DISPLAY";
  const wayland = env.WAYLAND_DISPLAY ? missingWayland(env.WAYLAND_DISPLAY, env.XDG_RUNTIME_DIR) : "no WAYLAND_DISPLAY";
  if (x === undefined || wayland === undefined) return undefined;
  return [env.DISPLAY && x, env.WAYLAND_DISPLAY && wayland].filter(Boolean).join(", and ");
}

/**
 * A local display (":N", "unix:N") is an X server's socket, in the file system or (Linux) the
 * abstract namespace: without either, a browser started there fails, often after its opener has
 * already exited 0 (xdg-open does), so the failure could not be seen later. A display on another
 * host (SSH forwarding, "localhost:10.0") cannot be checked this cheaply and is trusted.
 */
function missingX(display: string): string | undefined {
  const local = /^(?:unix)?:(\d+)(?:\.\d+)?$/.exec(display);
  if (!local) return undefined;
  const socket = `/tmp/.X11-unix/X${local[1]}`;
  if (existsSync(socket)) return undefined;
  try {
    if (readFileSync("/proc/net/unix", "utf8").includes(socket)) return undefined;
  } catch {
    return undefined;
  }
  return `DISPLAY is ${quoted(display)}, but no X server listens there`;
}

/** A Wayland display is a socket named relative to XDG_RUNTIME_DIR (or absolute); without XDG_RUNTIME_DIR it is trusted. */
function missingWayland(name: string, runtimeDir: string | undefined): string | undefined {
  if (!isAbsolute(name) && !runtimeDir) return undefined;
  const socket = isAbsolute(name) ? name : join(runtimeDir!, name);
  return existsSync(socket) ? undefined : `WAYLAND_DISPLAY is ${quoted(name)}, but no compositor listens there`;
}
