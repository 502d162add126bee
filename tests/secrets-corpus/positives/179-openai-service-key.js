import fetch from 'node-fetch';
const token = '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';

export async function run() {
  return fetch(URL);
}
