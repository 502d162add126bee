import fetch from 'node-fetch';
const token = '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';

export async function run() {
  return fetch(URL);
}
