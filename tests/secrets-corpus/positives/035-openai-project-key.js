const token = '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';
import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
}
