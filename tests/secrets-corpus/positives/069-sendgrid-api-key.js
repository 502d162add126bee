import fetch from 'node-fetch';

export async function run() {
const token = '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';
  return fetch(URL);
}
