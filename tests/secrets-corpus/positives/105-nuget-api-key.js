import fetch from 'node-fetch';

const token = 'oy2bsesli0e7yt6h2p57x79m1eqylqp0x7qed4nua24vl3';
export async function run() {
  return fetch(URL);
}
