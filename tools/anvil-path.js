#!/usr/bin/env node
// Prints the path of a Foundry binary that its npm package installed for this platform:
// @foundry-rs/<tool>-<os>-<arch>/bin/<tool>. The tool is the first argument: anvil (the default)
// or forge.
"use strict";
const path = require("path");
const tool = process.argv[2] || "anvil";
if (!["anvil", "forge"].includes(tool)) {
  process.stderr.write(`anvil-path: unknown tool ${tool} (anvil or forge)\n`);
  process.exit(1);
}
const arch = { x64: "amd64", arm64: "arm64" }[process.arch];
if (!arch) {
  process.stderr.write(`anvil-path: unsupported architecture ${process.arch}\n`);
  process.exit(1);
}
const pkg = `@foundry-rs/${tool}-${process.platform}-${arch}`;
try {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`));
  process.stdout.write(path.join(dir, "bin", process.platform === "win32" ? `${tool}.exe` : tool) + "\n");
} catch (err) {
  process.stderr.write(`anvil-path: ${pkg} is not installed (run npm install)\n`);
  process.exit(1);
}
