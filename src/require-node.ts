/**
 * Imported first by every entry point: on an older Node the first sign would otherwise be a TypeError deep in a
 * dependency, which names nothing a person can fix.
 */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `connbot needs Node.js 22.19 or newer (Node 24 LTS recommended); this is ${process.version}. See README.md, "Quick start".\n`,
  );
  process.exit(1);
}

export {};
