/** Injection tokens for providers typed by an interface. */
export const DELAYED_LEAVE = Symbol('DELAYED_LEAVE');
