import { run } from './run.js';

// The one place the CLI meets the process: argv, the environment, the standard streams and signals.
const controller = new AbortController();
let interrupted = false;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    // A second Ctrl-C leaves at once, whatever is still running.
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort();
  });
}

const code = await run(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  signal: controller.signal,
});
process.exitCode = code;
