import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
}
const token = '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';
