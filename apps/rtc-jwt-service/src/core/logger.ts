/**
 * The logging surface the core needs: pino's object-first signature, so the app can pass its pino
 * logger straight in. Tokens and secrets are never put in the context object.
 */
export interface CoreLogger {
  warn(context: Record<string, unknown>, message: string): void;
  debug(context: Record<string, unknown>, message: string): void;
}

export const silentLogger: CoreLogger = {
  warn: () => undefined,
  debug: () => undefined,
};
