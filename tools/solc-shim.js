#!/usr/bin/env node
// A native-solc stand-in for py-solc-x, backed by the npm `solc` package (solc-js, WASM).
//
// py-solc-x looks for executables named `solc-vX.Y.Z` in $SOLCX_BINARY_PATH, runs `<bin> --version`
// (it needs a line `Version: X.Y.Z+commit.HASH`) and compiles with
// `<bin> --standard-json [--base-path DIR] [--allow-paths ...]`, the input JSON on stdin.
// ape-solidity inlines every source as `content`, so no file system callback is needed; one is
// still provided (relative to --base-path) so that forge and hand-written inputs work too.
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require("solc");

function finish(text, code) {
  // Exit only once the write has been flushed: process.exit() right after a large write to a
  // pipe truncates the output at 64 KiB.
  process.stdout.write(text, () => process.exit(code));
}

function argValue(args, name) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : null;
}

function main() {
  const args = process.argv.slice(2);
  if (args.includes("--version")) {
    finish(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`, 0);
    return;
  }
  if (!args.includes("--standard-json")) {
    process.stderr.write("solc-shim: only --version and --standard-json are supported\n");
    process.exit(2);
  }
  const basePath = argValue(args, "--base-path") || process.cwd();
  const input = fs.readFileSync(0, "utf8");
  const findImports = (importPath) => {
    for (const candidate of [path.resolve(basePath, importPath), path.resolve(importPath)]) {
      if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, "utf8") };
    }
    return { error: `File not found: ${importPath}` };
  };
  finish(solc.compile(input, { import: findImports }), 0);
}

main();
