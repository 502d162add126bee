import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
}
const token = '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';
