// Who a signed-in person is to the guard: sign-in (transports) makes one, the MCP layer carries it, the guard records and compares it.

/** The signed-in person who asked or answered (HTTP with sign-in): the token's `sub` and one display claim, nothing else from it. */
export interface Actor {
  sub: string;
  /** preferred_username, else email, when the token has one. */
  name?: string;
}
