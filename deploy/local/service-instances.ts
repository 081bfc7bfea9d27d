/**
 * Instances of the service (app/src/main.ts) as child processes, each on its own loopback
 * port, configured only through the environment as in production.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const entryPoint = join(repoRoot, 'app', 'src', 'main.ts');
const readyTimeoutMs = 60_000;
const stopGraceMs = 10_000;

/** Every instance still running, so a crashing run leaves none behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class ServiceInstance {
  #process: ChildProcess | undefined;

  constructor(
    readonly name: string,
    readonly port: number,
    /** Where its log goes, one file per instance. */
    readonly logPath: string,
    readonly env: Readonly<Record<string, string>>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Starts the process and resolves once /readyz answers 200. */
  async start(): Promise<void> {
    if (this.#process !== undefined) throw new Error(`${this.name} is already running`);
    const log = openSync(this.logPath, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', entryPoint], {
      cwd: repoRoot,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', log, log],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    this.#process = child;

    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.#process = undefined;
        throw new Error(`${this.name} exited while starting: ${this.#lastLogLine()}`);
      }
      if (await this.isReady()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await this.stop();
    throw new Error(`${this.name} not ready after ${readyTimeoutMs} ms; see ${this.logPath}`);
  }

  async isReady(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** SIGTERM (the service closes its server and storage), SIGKILL after a bound. */
  async stop(): Promise<void> {
    const child = this.#process;
    if (child === undefined) return;
    this.#process = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), stopGraceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    child.kill('SIGTERM');
    if (!(await exited)) child.kill('SIGKILL');
  }

  /** The last non-empty line of the log: why a start failed, without secrets (none logged). */
  #lastLogLine(): string {
    const lines = readFileSync(this.logPath, 'utf8').trim().split('\n');
    return lines.at(-1) ?? '(empty log)';
  }
}
