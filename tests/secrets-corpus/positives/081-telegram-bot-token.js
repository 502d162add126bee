import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
const token = '1858382532:AAt6wfPWU2p0tGWnUTM5lJYL5o59wtaqU_E';
}
