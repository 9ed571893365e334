import { execFileSync } from 'node:child_process';
import { waitFor } from './http.js';

/**
 * A real terminal (tmux, 120×40) running bash, as a user at a keyboard: commands are typed into
 * it, and what it shows is read back from the pane. Each command is followed by a marker that
 * prints its exit status, so a test knows when it finished and how.
 */
export class TmuxTerminal {
  private commands = 0;

  private constructor(private readonly socket: string) {}

  /**
   * A fresh tmux server on its own socket, its shell with `env` and `path` put first on its PATH
   * (typed, since the session's PATH is the login one whatever tmux is given) and a plain prompt.
   */
  static start(env: Record<string, string>, path: string): TmuxTerminal {
    const terminal = new TmuxTerminal(`stt-cli-test-${process.pid}`);
    const vars = Object.entries({ ...env, TERM: 'xterm-256color' }).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
    terminal.tmux('new-session', '-d', '-s', 'cli', '-x', '120', '-y', '40', ...vars, 'bash --norc --noprofile');
    terminal.type(`export PATH="${path}:$PATH" PS1='$ '`);
    return terminal;
  }

  /** Types `command` and Enter; resolves with its exit status and the screen once it has ended. */
  async run(command: string, timeoutMs = 30_000): Promise<{ status: number; screen: string }> {
    const marker = `cmd-${++this.commands}-done`;
    this.type(`clear; ${command}; echo "${marker} status=$?"`);
    return waitFor(`"${command}" to finish`, async () => {
      const screen = this.screen();
      const done = new RegExp(`${marker} status=(\\d+)`).exec(screen);
      return done ? { status: Number(done[1]), screen } : undefined;
    }, { timeoutMs, intervalMs: 100 });
  }

  /** Types `text` and Enter, without waiting. */
  type(text: string): void {
    this.tmux('send-keys', '-t', 'cli', '-l', text);
    this.tmux('send-keys', '-t', 'cli', 'Enter');
  }

  /** Sends a key by its tmux name (`C-c`). */
  key(name: string): void {
    this.tmux('send-keys', '-t', 'cli', name);
  }

  /** What the pane shows now (wrapped lines joined). */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-t', 'cli');
  }

  /** Polls the pane until `pattern` shows; returns the screen. */
  waitForScreen(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return waitFor(`the terminal to show ${pattern}`, async () => {
      const screen = this.screen();
      return pattern.test(screen) ? screen : undefined;
    }, { timeoutMs, intervalMs: 100 });
  }

  stop(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
}
