// pcplan for VS Code: a language client that starts `pcplan lsp` for YAML files.
//
// The server decides which files are case files (in a member folder, the repository's staff.yaml, or a file
// declaring a pcplan `kind:`); for any other YAML file it answers nothing. It never writes a file: quick
// fixes are edits VS Code applies, so they can be undone like typing.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

function settings() {
  const config = vscode.workspace.getConfiguration('pcplan');
  const initializationOptions = { debounceMs: config.get('debounceMs', 150) };
  const ruleUrl = (config.get('ruleUrl', '') || '').trim();
  if (ruleUrl) {
    initializationOptions.ruleUrl = ruleUrl;
  }
  return { command: config.get('path', 'pcplan') || 'pcplan', initializationOptions };
}

async function start() {
  const { command, initializationOptions } = settings();
  client = new LanguageClient(
    'pcplan',
    'pcplan',
    { command, args: ['lsp'] },
    {
      documentSelector: [{ scheme: 'file', language: 'yaml' }],
      initializationOptions,
    },
  );
  try {
    await client.start();
  } catch (error) {
    const reason = error && error.message ? error.message : String(error);
    vscode.window.showErrorMessage(
      `pcplan: the language server did not start (${reason}). Install pcplan (python3 -m pip install pcplan) ` +
        'or set "pcplan.path" to the pcplan command in your user settings.',
    );
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    try {
      await running.stop();
    } catch (_) {
      // it had not started
    }
  }
}

// pcplan://rule/L101 (the link on each diagnostic's code) opens the text of `pcplan rule L101`.
const rules = {
  async provideTextDocumentContent(uri) {
    const code = uri.path.replace(/^\//, '').replace(/\.md$/, '').toUpperCase();
    if (!client) {
      return `# ${code}\n\nRun \`pcplan rule ${code}\` in a terminal.\n`;
    }
    const answer = await client.sendRequest('pcplan/rule', { code });
    return answer ? answer.markdown : `No rule ${code}: \`pcplan rules\` lists them.\n`;
  },
};

function activate(context) {
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider('pcplan', rules),
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (doc.uri.scheme === 'pcplan' && doc.languageId !== 'markdown') {
        vscode.languages.setTextDocumentLanguage(doc, 'markdown');
      }
    }),
    vscode.commands.registerCommand('pcplan.restart', async () => {
      await stop();
      await start();
    }),
    vscode.commands.registerCommand('pcplan.showRule', async () => {
      const code = await vscode.window.showInputBox({
        prompt: 'A rule code, such as L101',
        validateInput: (value) => (/^[A-Za-z][0-9]{3}$/.test(value.trim()) ? null : 'A code such as L101'),
      });
      if (code) {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(`pcplan://rule/${code.trim().toUpperCase()}`));
        await vscode.window.showTextDocument(doc, { preview: true });
      }
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('pcplan')) {
        await stop();
        await start();
      }
    }),
  );
  return start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
