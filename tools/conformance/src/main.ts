// The `matrix-gateway-conformance` command (bin/matrix-gateway-conformance.js runs the built file).
import { main } from './cli';

void main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `matrix-gateway-conformance: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
