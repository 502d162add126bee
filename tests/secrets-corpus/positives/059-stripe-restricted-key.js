import fetch from 'node-fetch';

const token = 'rk_live_ZZdPaRXLujTpwrkcrOg258Le';
export async function run() {
  return fetch(URL);
}
