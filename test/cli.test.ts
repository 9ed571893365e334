import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkLicenseKey, parsePublicKeys } from '@stt/shared';
import { freePort } from './support/free-port.js';
import { waitForStatus } from './support/http.js';
import { clipsWithPauses, goforwardWav, wordErrors } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';
import { TmuxTerminal } from './support/tmux-terminal.js';

const STT_BIN_DIR = join(import.meta.dirname, '../node_modules/.bin');

/** `stt` run in a real terminal (tmux) against a running stack, as a user types it. */
describe('the stt command line in a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-cli-'));
  let stack: TestStack;
  let terminal: TmuxTerminal;
  let goforward: string;
  let speech: ReturnType<typeof clipsWithPauses>;

  before(async () => {
    goforward = goforwardWav(dir);
    speech = clipsWithPauses(dir, 1);
    // The `stt` that setup links into node_modules/.bin (as `npx stt` finds it), with this node beside it.
    const bin = `${STT_BIN_DIR}:${dirname(process.execPath)}`;
    stack = await TestStack.start({ workers: 1 });
    await stack.healthy();
    terminal = TmuxTerminal.start({ STT_URL: stack.apiUrl, STT_API_KEY: stack.licenseKey, STT_LICENSE_URL: stack.proxyUrl }, bin);
    await terminal.run('cd ' + dir);
  });
  after(async () => {
    terminal?.stop();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('transcribe of two files: an overall and a per-file bar, then a transcript per file in --out', async () => {
    const { status, screen } = await terminal.run(`stt transcribe --out out --timestamps goforward.wav ${speech.wav}`, 60_000);
    assert.equal(status, 0, screen);
    assert.match(screen, /all files\s+█+\s+100% \| 2\/2 files/);
    assert.match(screen, /goforward\.wav\s+█+\s+100% \| → out\/goforward\.txt/);
    assert.match(screen, /pauses-1\.wav\s+█+\s+100% \| → out\/pauses-1\.txt/);
    assert.equal(readFileSync(join(dir, 'out/goforward.txt'), 'utf8'), '[0:00.46 → 0:02.12] go forward ten meters\n');
    const long = readFileSync(join(dir, 'out/pauses-1.txt'), 'utf8');
    assert.match(long, /^\[\d:\d\d\.\d\d → \d:\d\d\.\d\d\] \w+/);

    const json = await terminal.run('stt transcribe -f json goforward.wav');
    assert.equal(json.status, 0);
    assert.match(json.screen, /"text": "Go forward ten meters\."/);
  });

  test('transcribe --format srt and vtt write real subtitles', async () => {
    const { status, screen } = await terminal.run(`stt transcribe -f srt --out subs goforward.wav ${speech.wav}`, 60_000);
    assert.equal(status, 0, screen);
    const srt = readFileSync(join(dir, 'subs/goforward.srt'), 'utf8');
    assert.match(srt, /^1\r?\n00:00:\d\d,\d{3} --> 00:00:\d\d,\d{3}\r?\nGo forward ten meters\./);
    assert.match(readFileSync(join(dir, 'subs/pauses-1.srt'), 'utf8'), /^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\r?\n\S/);
    const vtt = await terminal.run('stt transcribe -f vtt goforward.wav');
    assert.match(vtt.screen, /WEBVTT/);
    assert.match(vtt.screen, /00:00:\d\d\.\d{3} --> 00:00:\d\d\.\d{3}/);
  });

  test('stream paces a file in real time and prints the finals', async () => {
    const { status, screen } = await terminal.run(`stt stream --no-punctuate ${speech.wav}`, 60_000);
    assert.equal(status, 0, screen);
    const lines = screen.split('\n');
    const printed = lines.slice(0, lines.findIndex((line) => /cmd-\d+-done/.test(line))).join(' ');
    const { errors, words } = wordErrors(speech.reference, printed);
    assert.ok(errors / words < 0.5, `the finals are the speech: "${printed}" against "${speech.reference}"`);
  });

  test('health shows the components and the workers; --watch keeps it up until Ctrl-C', async () => {
    const { status, screen } = await terminal.run('stt health');
    assert.equal(status, 0, screen);
    for (const component of ['api_server', 'lightning_asr', 'license_proxy', 'redis']) assert.match(screen, new RegExp(`${component}\\s+healthy`));
    assert.match(screen, /1\/1 workers ready/);
    assert.match(screen, /en-us\s+pocketsphinx\s+en\s+1\s+1/);

    terminal.type('clear; stt health --watch --interval 0.5');
    await terminal.waitForScreen(/Ctrl-C to stop/);
    terminal.key('C-c');
    const stopped = await terminal.run('true');
    assert.equal(stopped.status, 0);
  });

  test('license keygen, issue and status', async () => {
    const keygen = await terminal.run('stt license keygen --out keys');
    assert.equal(keygen.status, 0, keygen.screen);
    const publicKey = readFileSync(join(dir, 'keys/signing.pub'), 'utf8').trim();
    assert.ok(keygen.screen.includes(publicKey));
    const issued = await terminal.run('stt license issue --signing-key keys/signing.key --customer acme --days 7 > acme.key');
    assert.equal(issued.status, 0, issued.screen);
    const check = checkLicenseKey(readFileSync(join(dir, 'acme.key'), 'utf8').trim(), parsePublicKeys([publicKey]));
    assert.equal(check.ok, true);
    assert.equal(check.ok && check.claims.customer, 'acme');

    const status = await terminal.run('stt license status');
    assert.equal(status.status, 0, status.screen);
    assert.match(status.screen, /license valid\s+true/);
  });

  test('doctor: all clear, then with the ASR worker and the license proxy gone it names each and its fix', async () => {
    const clear = await terminal.run('stt doctor');
    assert.equal(clear.status, 0, clear.screen);
    assert.match(clear.screen, /\[ok\]\s+A real transcription works\n\s+"go forward ten meters"/);
    assert.match(clear.screen, /No problems found\./);

    await stack.workers[0]!.kill();
    await waitForStatus(`${stack.apiUrl}/health`, 503);
    const logs = join(dir, 'api.log');
    writeFileSync(logs, stack.api.logs.map((line) => JSON.stringify(line)).join('\n'));
    const deadProxy = `http://127.0.0.1:${await freePort()}`;
    const { status, screen } = await terminal.run(`stt doctor --license-url ${deadProxy} --logs api.log`, 60_000);
    assert.equal(status, 1, screen);
    assert.match(screen, /\[FAIL\] ASR workers \(lightning_asr\)\n\s+unhealthy: No ASR workers available\n(.*\n)*?\s+fix: Start a lightning-asr worker/);
    assert.match(screen, /\[FAIL\] License proxy asked directly\n(.*\n)*?\s+fix: Start the license proxy/);
    assert.match(screen, /\[FAIL\] A real transcription works\n\s+SERVICE_UNAVAILABLE/);
    assert.match(screen, /Logs: warnings and errors/);
    assert.match(screen, /3 problems: ASR workers \(lightning_asr\), License proxy asked directly, A real transcription works/);
  });
});
