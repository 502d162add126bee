import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
}
const token = 'rk_live_aYatTSJa6tz1gLaQbmlFXJKr';
