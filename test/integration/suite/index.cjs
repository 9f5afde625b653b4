// The integration suite, run by @vscode/test-electron inside a desktop VS Code's extension host
// (test/integration/runTest.mjs). Small on purpose: it checks that the packaged extension activates
// there and that its language features answer through VS Code's own APIs; the user journeys run
// in code-server (test/e2e). VS Code calls run(); a rejected promise fails the run.
const assert = require('node:assert/strict');
const { join } = require('node:path');
const vscode = require('vscode');

const EXTENSION_ID = 'cnn-lab.cnn-lab';
const workspace = process.env.CNN_LAB_INTEGRATION_WORKSPACE;

async function openInWorkspace(file) {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(join(workspace, file)));
  await vscode.window.showTextDocument(document);
  return document;
}

/** Polls `probe` until it returns something truthy (language features answer after activation). */
async function eventually(what, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function positionOf(document, lineContains, token) {
  const line = document
    .getText()
    .split('\n')
    .findIndex((l) => l.includes(lineContains));
  assert.ok(line >= 0, `no line containing ${lineContains}`);
  return new vscode.Position(line, document.lineAt(line).text.indexOf(token) + 1);
}

const tests = [
  [
    'the extension is installed and activates',
    async () => {
      const extension = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is not loaded`);
      await extension.activate();
      assert.equal(extension.isActive, true);
    },
  ],
  [
    'every contributed command is registered',
    async () => {
      const extension = vscode.extensions.getExtension(EXTENSION_ID);
      const contributed = extension.packageJSON.contributes.commands.map((c) => c.command);
      const registered = new Set(await vscode.commands.getCommands(true));
      assert.deepEqual(
        contributed.filter((id) => !registered.has(id)),
        [],
      );
    },
  ],
  [
    'hover on a Keras Conv2D shows its output shape and the W2 arithmetic',
    async () => {
      const document = await openInWorkspace('cnn_keras.py');
      const text = await eventually('a CNN Lab hover', async () => {
        const hovers = await vscode.commands.executeCommand(
          'vscode.executeHoverProvider',
          document.uri,
          positionOf(document, 'Conv2D(20', 'Conv2D'),
        );
        const all = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
        return /→/.test(all) ? all : undefined;
      });
      assert.match(text, /16×16×10\s*→\s*12×12×20/);
      assert.match(text, /W2\s*=[^=]*16\s*[−-]\s*5[^=]*=\s*12/);
    },
  ],
  [
    'inlay hints give each layer of a tfjs model its output shape',
    async () => {
      const document = await openInWorkspace('cnn_tfjs.ts');
      const range = new vscode.Range(0, 0, document.lineCount, 0);
      const labels = await eventually('inlay hints', async () => {
        const hints = await vscode.commands.executeCommand('vscode.executeInlayHintProvider', document.uri, range);
        const texts = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
        return texts.length ? texts : undefined;
      });
      for (const shape of ['24×24×8', '12×12×8', '12×12×16', '2304']) {
        assert.ok(
          labels.some((l) => l.includes(shape)),
          `no inlay hint with ${shape} (got ${JSON.stringify(labels)})`,
        );
      }
    },
  ],
  [
    'a window that does not fit is reported as a diagnostic',
    async () => {
      const document = await openInWorkspace('broken_keras.py');
      const diagnostics = await eventually('a CNN Lab diagnostic', async () => {
        const found = vscode.languages.getDiagnostics(document.uri).filter((d) => /Conv2D/.test(d.message));
        return found.length ? found : undefined;
      });
      assert.equal(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
      assert.match(diagnostics[0].message, /window 5 is larger than the input 3/);
    },
  ],
];

async function run() {
  assert.ok(workspace, 'CNN_LAB_INTEGRATION_WORKSPACE is not set (start the suite with npm run test:integration)');
  let failed = 0;
  for (const [name, body] of tests) {
    const started = Date.now();
    try {
      await body();
      console.log(`  ok    ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.error(`  FAIL  ${name}: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  console.log(`${tests.length - failed} passed, ${failed} failed`);
  if (failed) throw new Error(`${failed} integration test(s) failed`);
}

module.exports = { run };
