// Account B's victim (Node.js). It holds a secret in its environment (VICTIM_SECRET) and one in
// its code (the placeholder below is replaced per test run), keeps both in memory and in a file
// in its temp dir, and answers with a per-instance token (a warm instance answers with the same
// one) and its pid as it sees it. It never returns a secret.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");

const CODE_SECRET = "__CODE_SECRET__";
const token = crypto.randomBytes(12).toString("hex");
const kept = [CODE_SECRET, process.env.VICTIM_SECRET];

async function answer() {
  fs.writeFileSync(path.join(os.tmpdir(), "victim-secret.txt"), kept.join("\n"));
  return { token, pid: process.pid, holdsSecrets: kept.every((s) => typeof s === "string" && s.length > 0) };
}

exports.main_handler = answer;
exports.handler = answer;
