"use strict";
// Tokenize files with a TextMate grammar as VS Code does (vscode-textmate + the Oniguruma
// regular expressions compiled to WebAssembly), and print the tokens as JSON:
//   { "<file>": [ [ [startIndex, endIndex, [scope, …]], … ] per line ] }
// Indexes count UTF-16 code units, as JavaScript strings do.  Lines are split at "\n".
//
// usage: node tokenize.js GRAMMAR.tmLanguage.json FILE...
const fs = require("fs");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

async function loadGrammar(grammarPath) {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const text = fs.readFileSync(grammarPath, "utf8");
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(text, grammarPath),
  });
  return registry.loadGrammar(JSON.parse(text).scopeName);
}

function tokenize(grammar, text) {
  let state = vsctm.INITIAL;
  return text.split("\n").map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => [t.startIndex, t.endIndex, t.scopes]);
  });
}

async function main() {
  const [grammarPath, ...files] = process.argv.slice(2);
  const grammar = await loadGrammar(grammarPath);
  const out = {};
  for (const file of files) {
    out[file] = tokenize(grammar, fs.readFileSync(file, "utf8"));
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
