const token = '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';
import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
}
