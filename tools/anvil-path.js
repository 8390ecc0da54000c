#!/usr/bin/env node
// Prints the path of the anvil binary that the npm package @foundry-rs/anvil installed for this
// platform (@foundry-rs/anvil-<os>-<arch>/bin/anvil).
"use strict";
const path = require("path");
const arch = { x64: "amd64", arm64: "arm64" }[process.arch];
if (!arch) {
  process.stderr.write(`anvil-path: unsupported architecture ${process.arch}\n`);
  process.exit(1);
}
const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
try {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`));
  process.stdout.write(path.join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil") + "\n");
} catch (err) {
  process.stderr.write(`anvil-path: ${pkg} is not installed (run npm install)\n`);
  process.exit(1);
}
