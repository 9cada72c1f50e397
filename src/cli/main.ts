#!/usr/bin/env node
import '../require-node.js';
import { existsSync } from 'node:fs';
import { runCli } from './run-cli.js';

// The same .env `npm start` reads (passwords named by passwordFromEnv, CATALOG_PATH); the shell's values win.
if (existsSync('.env')) process.loadEnvFile('.env');

// The first Ctrl-C stops waiting for checks (connections still close cleanly); a second one kills the process.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort(new Error('interrupted')));

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
});
