"use strict";
// The policydsl extension: the grammar is declared in package.json; this starts the language
// server (`policydsl lsp`, over stdin/stdout) for every .policy file.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const configured = vscode.workspace.getConfiguration("policydsl").get("server.command");
  const [command, ...args] = configured && configured.length ? configured : ["policydsl", "lsp"];
  const serverOptions = { command, args };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "policy" }],
    // a notice or a policy that is not open changes on disk: check again
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{policy,txt}"),
    },
  };
  client = new LanguageClient("policydsl", "policydsl", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
