import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
}
const token = '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';
